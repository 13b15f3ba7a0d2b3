// ForkManagerOptions.threadPool: how the worker threads of `isolation: 'thread'` share the cap.

import { describe } from '../../util/describe.js'
import { optionKeys, validateOptions } from '../../util/validate.js'

/** Options of the worker threads (ForkManagerOptions.threadPool). */
export interface ThreadPoolOptions {
  /**
   * How many jobs one thread runs at once. Default 1: a job has its thread to itself. More (for
   * asynchronous jobs: a DNS lookup, an HTTP call) lets fewer threads serve the cap,
   * ceil(maxProcs / this) of them. Each job keeps its own result, timeout and stop; jobs that
   * share a thread share its crash, and a stop of one that does not listen to ctx.signal waits
   * for the SIGKILL after killGrace, which ends the thread and every job on it.
   */
  concurrentTasksPerWorker?: number
}

export interface ThreadPoolSettings {
  concurrentTasksPerWorker: number
}

export const THREAD_POOL_KEYS = optionKeys<ThreadPoolOptions>({ concurrentTasksPerWorker: true })

/** Checks ForkManagerOptions.threadPool at the manager's construction. */
export function threadPoolSettings(options: ThreadPoolOptions | undefined): ThreadPoolSettings {
  if (options === undefined) return { concurrentTasksPerWorker: 1 }
  validateOptions(options, 'threadPool', THREAD_POOL_KEYS)
  const { concurrentTasksPerWorker = 1 } = options
  if (!(Number.isInteger(concurrentTasksPerWorker) && concurrentTasksPerWorker >= 1)) {
    throw new RangeError(`threadPool.concurrentTasksPerWorker must be a whole number from 1, got ${describe(concurrentTasksPerWorker)}`)
  }
  return { concurrentTasksPerWorker }
}
