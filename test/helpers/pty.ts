// Runs the built forkpool command on a real pseudo-terminal, through util-linux's `script` (Debian
// has it in bsdutils, always installed): what a user at a terminal sees, stdin, stdout and stderr
// all on the terminal. `script` passes what the test writes to its stdin on to the terminal.
import { spawn, execFileSync } from 'node:child_process'
import type { Test } from 'tap'
import { CLI } from './cli.js'
import { shellQuote } from '../../dist/lib/util/shell-quote.js'

export interface PtyRun {
  /** Everything the terminal showed (stdout and stderr together, with \r\n line ends). */
  output: string
  code: number | null
}

export interface PtySession {
  /** Types on the terminal. */
  type(text: string): void
  /** Resolves once the terminal has shown text matching `pattern`; rejects (and ends the command) if it has not within `ms`. */
  shown(pattern: RegExp, ms?: number): Promise<void>
  done: Promise<PtyRun>
}

/** Whether `script` is here; when it is not the test fails at once, saying what to install. */
export function ptyHere(t: Test): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' })
    return true
  } catch {
    t.fail('util-linux script is not installed: install it (Debian: apt-get install bsdutils) to test on a terminal')
    return false
  }
}

/** `forkpool ...args` on a terminal of `columns` columns (0: a terminal nobody sized, as `script` makes by default). */
export function forkpoolInPty(args: string[], options: { columns?: number; cwd?: string } = {}): PtySession {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ')
  const size = options.columns === undefined ? '' : `stty cols ${options.columns} rows 24; `
  const child = spawn('script', ['-qec', `${size}exec ${command}`, '/dev/null'], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'inherit'] })
  let output = ''
  const waiting = new Set<() => void>()
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    for (const check of waiting) check()
  })
  const done = new Promise<PtyRun>((resolve) => child.on('close', (code) => resolve({ output, code })))
  // stdin stays open until the command ends: an end of it could end the session early.
  void done.then(() => child.stdin.end())
  return {
    type: (text) => child.stdin.write(text),
    shown: (pattern, ms = 30_000) => {
      let timer: NodeJS.Timeout | undefined
      const seen = new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(output)) return
          waiting.delete(check)
          resolve()
        }
        waiting.add(check)
        check()
        void done.then(({ code }) => reject(new Error(`the command ended (${code}) without showing ${pattern}: ${JSON.stringify(output)}`)))
        timer = setTimeout(() => {
          child.kill('SIGKILL')
          reject(new Error(`not shown within ${ms} ms: ${pattern}; the terminal showed ${JSON.stringify(output)}`))
        }, ms)
      })
      return seen.finally(() => clearTimeout(timer))
    },
    done,
  }
}
