// Waits `ms` milliseconds (stopping early when the job is stopped), then reports when it ran.
import { setTimeout as sleep } from 'node:timers/promises'
import type { WorkerContext } from '../lib/index.js'

export default async function nap(ms: number, ctx: WorkerContext) {
  const started = Date.now()
  await sleep(ms, undefined, { signal: ctx.signal })
  return { started, ended: Date.now() }
}
