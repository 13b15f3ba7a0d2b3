// The messages between the pool (worker.ts) and its workers, reused processes or threads
// (runtime.ts). Its own file, because the parent must not import the runtime.
// Both sides batch: what one side has to say within one turn of its event loop goes out as one
// message, because a message costs a write and a wake-up of the other side whatever it carries.

// Jobs and answers go column by column (an array per field, not an object per job): the IPC
// serializer then writes and reads a few arrays per batch instead of objects whose keys it must
// write, read and look up for every job. With it (and PoolJob, worker.ts) the pool driven on
// its own went from about 100k to 130k jobs a second here (64 in flight on 2 processes).

import type { SerializedError } from '../../types.js'

/** A stop of one job: its ctx.signal fires; a job that has begun and does not listen is reported deaf (a PoolNote). */
export interface PoolStop {
  id: number
  signal: NodeJS.Signals
}

/**
 * What the pool tells a process: jobs to start, job i being ids[i], running the worker file
 * urls[files[i]] (a batch names each file once) with idents[i] and data[i]; and jobs to stop.
 * An id is the job's index in the pool's JobTable, given to another job once this one has ended
 * (job-table.ts says why that is safe).
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

/**
 * What a worker says at once, outside the batches, because the parent decides a stop on it:
 * `loaded`, a worker file it had to import has loaded (or failed to): a thread is never
 * terminated while it imports (thread/transport.ts says why); `listening`, job id has read its
 * ctx.signal, so a stop fires the signal and waits killGrace; `deaf`, job id got a stop order
 * but had begun by then without listening: the parent ends the worker.
 */
export type PoolNote = { loaded: string } | { listening: number } | { deaf: number }

/** What a worker says: that it is up, then answers and notes. */
export type PoolMessage = { ready: true } | PoolAnswers | PoolNote

/**
 * argv flag: report the resident memory with each batch of answers (the pool has a maxWorkerMemory). It costs a read of /proc per batch.
 */
export const MEASURE_RSS = '--measure-rss'

/**
 * A batch that could not be cloned, as batches of one job each, then its stops (which may be for
 * jobs of the batch): each job that can be sent goes, and only one that cannot fails.
 */
export function jobByJob(orders: PoolOrders): PoolOrders[] {
  const { ids, files, urls, idents, data, retried, jobIds, stops } = orders
  const batches = ids.map((id, i): PoolOrders => {
    const one: PoolOrders = { ids: [id], files: [0], urls: [urls[files[i]!]!], idents: [idents[i]!], data: [data[i]], stops: [] }
    if (retried !== undefined) for (let k = 0; k < retried.length; k += 2) if (retried[k] === i) one.retried = [0, retried[k + 1]!]
    if (jobIds !== undefined) one.jobIds = [jobIds[i]!]
    return one
  })
  if (stops.length > 0) batches.push({ ids: [], files: [], urls: [], idents: [], data: [], stops })
  return batches
}
