// Waiting in tests: for a state (eventually, untilFile), or, where time itself is what a test
// needs (a timer must come due, nothing may happen meanwhile), for a while (sleep).
import { existsSync } from 'node:fs'

/** Resolves after `ms`. Only for time that must pass, never to wait for a state. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` every `everyMs` until it returns true or `ms` passes; returns its last answer. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 3000, everyMs = 50): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    if (await check()) return true
    if (Date.now() > until) return false
    await sleep(everyMs)
  }
}

/** Resolves true once `file` exists (false after `ms`): a worker's sign that it has got somewhere. */
export function untilFile(file: string, ms = 15_000): Promise<boolean> {
  return eventually(() => existsSync(file), ms, 10)
}
