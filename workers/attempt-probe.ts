// A job that acts by its ctx.attempt (tests of re-runs on a remote agent): each run writes
// `${dir}/attempt-N` holding its pid; a run whose attempt is in `hang` waits (listening to
// ctx.signal) until it is stopped, and then `linger` ms more (a job slow to wind down), one in
// `fail` throws, any other returns its attempt.
import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { WorkerContext } from '../lib/index.js'

export interface AttemptProbe {
  dir: string
  hang?: number[]
  fail?: number[]
  linger?: number
}

export default async function attemptProbe({ dir, hang = [], fail = [], linger = 0 }: AttemptProbe, ctx: WorkerContext): Promise<number> {
  writeFileSync(`${dir}/attempt-${ctx.attempt}`, String(process.pid))
  if (hang.includes(ctx.attempt)) {
    await sleep(600_000, undefined, { signal: ctx.signal }).catch(async (error: unknown) => {
      await sleep(linger)
      throw error
    })
  }
  if (fail.includes(ctx.attempt)) throw new Error(`attempt ${ctx.attempt} fails, as asked`)
  return ctx.attempt
}
