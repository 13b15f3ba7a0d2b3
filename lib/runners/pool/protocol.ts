// The messages between the process pool (worker.ts) and its reused processes
// (runtime.ts). Its own file, because the parent must not import the runtime.
// Both sides batch: what one side has to say within one turn of its event loop goes out as one
// message, because a message costs a write and a wake-up of the other side whatever it carries.

// Jobs and answers go column by column (an array per field, not an object per job): the IPC
// serializer then writes and reads a few arrays per batch instead of objects whose keys it must
// write, read and look up for every job. With it (and PoolJob, worker.ts) the pool driven on
// its own went from about 100k to 130k jobs a second here (64 in flight on 2 processes).

import type { SerializedError } from '../../types.js'

/** A stop of one job: its ctx.signal fires; a job that does not listen and is alone in its process dies with the process. */
export interface PoolStop {
  id: number
  signal: NodeJS.Signals
}

/**
 * What the pool tells a process: jobs to start, job i being ids[i], running the worker file
 * urls[files[i]] (a batch names each file once) with idents[i] and data[i]; and jobs to stop.
 * An id is a slot of the pool's JobSlots, given to another job once this one has ended
 * (job-slots.ts says why that is safe).
 */
export interface PoolOrders {
  ids: number[]
  files: number[]
  urls: string[]
  idents: string[]
  data: unknown[]
  /**
   * The jobs that are not a first try, as pairs (index in the batch, ctx.attempt); absent when
   * there are none. Nearly every job is a first try: a column of 1s was a ninth of the bytes a
   * batch carried (2.4 of 21.2 a job in bench process-noop, issue 12).
   */
  retried?: number[]
  stops: PoolStop[]
  /** ctx.jobId of each job: only in batches of a remote agent (absent locally, where every jobId is null). */
  jobIds?: string[]
}

/**
 * Jobs that ended: job ids[i] ended with exitCodes[i] and data[i], or failed with errors[i]
 * (null for one that did not). rss: the process's resident bytes, or 0 when not asked for.
 */
export interface PoolAnswers {
  ids: number[]
  exitCodes: number[]
  data: unknown[]
  errors: Array<SerializedError | null>
  rss: number
}

/** What a pool process says: that it is up, then answers. */
export type PoolMessage = { ready: true } | PoolAnswers

/** argv flag: report the resident memory with each batch of answers (the pool has a maxWorkerMemory). It costs a read of /proc per batch. */
export const MEASURE_RSS = '--measure-rss'
