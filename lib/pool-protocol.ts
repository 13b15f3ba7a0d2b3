// The messages between the process pool (lib/runners/pool-worker.ts) and its reused processes
// (lib/pool-worker-runtime.ts). Its own file, because the parent must not import the runtime.

import type { WorkerReply } from './worker-call.js'

/** A job for a pool process: the worker file, the job's ident and its data. */
export interface PoolTask {
  id: number
  url: string
  ident: string
  data: unknown
}

/** What a pool process says: that it is up, then one answer per task (rss: resident bytes, or 0 when not asked for). */
export type PoolMessage = { ready: true } | { id: number; reply: WorkerReply; rss: number }

/** argv flag: report the resident memory after each job (the pool has a maxWorkerMemory). It costs a read of /proc per job. */
export const MEASURE_RSS = '--measure-rss'
