import { readFileSync } from 'node:fs'
import { eventually } from './wait.js'

// Compiled worker files (tests point at dist/ so children start without the TypeScript loader).
export const worker = (name: string): string => new URL(`../../dist/workers/${name}.js`, import.meta.url).pathname

/** Pids of live processes whose command line contains `marker`. */
export async function processesMatching(marker: string): Promise<number[]> {
  const { execFile } = await import('node:child_process')
  return new Promise((resolve) => {
    execFile('pgrep', ['-f', marker], (_error, stdout) => {
      resolve(stdout.split('\n').filter(Boolean).map(Number).filter((pid) => pid !== process.pid))
    })
  })
}

/** Resolves true once no live process's command line contains `marker` (false after `ms`). */
export function processesGone(marker: string, ms = 3000): Promise<boolean> {
  return eventually(async () => (await processesMatching(marker)).length === 0, ms)
}

/** Whether a process with that pid exists (a zombie counts until it is reaped). */
export function alive(pid: number | null): boolean {
  try {
    process.kill(pid!, 0)
    return true
  } catch {
    return false
  }
}

/** Field `index` (0-based, after the command name) of /proc/PID/stat: 1 is the parent's pid, 0 the state. Throws for a pid that is gone. */
export function procStat(pid: number, index: number): string {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1')
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[index]!
}

/**
 * Whether the process still runs: it exists and is not a zombie. A process whose parent died is
 * reaped by PID 1, whenever that gets to it; until then alive() still sees it, though it has exited.
 */
export function running(pid: number): boolean {
  try {
    return procStat(pid, 0) !== 'Z'
  } catch {
    return false
  }
}
