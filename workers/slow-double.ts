// A map() item that takes a little while: sleeps `SLOW_DOUBLE_MS` (default 2 ms), then doubles the
// number and says which queue job (a remote chunk) ran it, and on which try.
import { setTimeout as sleep } from 'node:timers/promises'
import type { WorkerContext } from '../lib/index.js'

const MS = Number(process.env.SLOW_DOUBLE_MS ?? 2)

export default async function slowDouble(n: number, ctx: WorkerContext): Promise<{
  doubled: number; jobId: string | null; attempt: number,
}> {
  await sleep(MS)
  return { doubled: n * 2, jobId: ctx.jobId, attempt: ctx.attempt }
}
