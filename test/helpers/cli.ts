// Runs the built forkpool command as a subprocess (it inherits tap's coverage hook).
import { spawn, type ChildProcess } from 'node:child_process'

export const CLI = new URL('../../dist/lib/cli/main.js', import.meta.url).pathname

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** `input: null` leaves stdin open for the test to write to. */
export function startCli(args: string[], options: { input?: string | null; cwd?: string } = {}): {
  child: ChildProcess; done: Promise<CliRun>,
} {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  if (options.input !== null) child.stdin.end(options.input ?? '')
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { child, done }
}

/** Runs `forkpool ...args` to its end. */
export function forkpool(args: string[], options: { input?: string; cwd?: string } = {}): Promise<CliRun> {
  return startCli(args, options).done
}
