// The messages between the process pool (lib/runners/pool-worker.ts) and its reused processes
// (lib/pool-worker-runtime.ts). Its own file, because the parent must not import the runtime.
// Both sides batch: what one side has to say within one turn of its event loop goes out as one
// message, because a message costs a write and a wake-up of the other side whatever it carries.

import type { WorkerReply } from './worker-call.js'

/** A job for a pool process: the worker file, the job's ident and its data. */
export interface PoolTask {
  id: number
  url: string
  ident: string
  data: unknown
}

/** One job's answer. */
export interface PoolAnswer {
  id: number
  reply: WorkerReply
}

/** A stop of one job: its ctx.signal fires; a job that does not listen and is alone in its process dies with the process. */
export interface PoolStop {
  id: number
  signal: NodeJS.Signals
}

/** What the pool tells a process: jobs to start and jobs to stop. */
export interface PoolOrders {
  tasks: PoolTask[]
  stops: PoolStop[]
}

/** What a pool process says: that it is up, then answers (rss: its resident bytes, or 0 when not asked for). */
export type PoolMessage = { ready: true } | { answers: PoolAnswer[]; rss: number }

/** argv flag: report the resident memory with each batch of answers (the pool has a maxWorkerMemory). It costs a read of /proc per batch. */
export const MEASURE_RSS = '--measure-rss'
