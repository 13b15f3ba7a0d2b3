// A worker that returns what it was told of its run: ident, attempt, jobId (tests of remote runs).
import type { WorkerContext } from '../lib/index.js'

export default function jobContext(_data: unknown, ctx: WorkerContext): { ident: string; attempt: number; jobId: string | null } {
  return { ident: ctx.ident, attempt: ctx.attempt, jobId: ctx.jobId }
}
