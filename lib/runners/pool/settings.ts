// ForkManagerOptions.processPool and .threadPool: how the reused processes of 'process-pool' and
// the worker threads of 'thread' share the cap. One pool runs both (pool.ts), so the options are
// the same, but for the memory check, which only a process can make of itself.

import { parseBytes } from '../../primitives/bytes.js'
import { parseDuration } from '../../primitives/duration.js'
import { optionKeys, validateInteger, validateOptions } from '../../util/validate.js'
import type { Duration } from '../../types.js'

/**
 * Options of the worker threads (ForkManagerOptions.threadPool), and, with maxWorkerMemory, of the
 * reused worker processes (ProcessPoolOptions): a worker below is a thread or a pool process.
 */
export interface ThreadPoolOptions {
  /** Recycle a worker after this many jobs (for leaky code). Default: Infinity. */
  maxTasksPerWorker?: number
  /**
   * End a worker that has been idle this long. Default `'5s'`; Infinity keeps idle workers (they never keep the manager's process alive).
   */
  idleTimeout?: Duration
  /**
   * How many jobs one worker runs at once. Default 1: a job has its thread or process to itself.
   * More (for tiny or asynchronous jobs: a DNS lookup, an HTTP call) lets fewer workers serve the
   * cap, ceil(maxProcs / this) of them, with the orders to each sent in batches. Each job keeps
   * its own result, timeout and stop; jobs that share a worker share its crash, and a stop of one
   * that does not listen to ctx.signal ends the worker at once, with every job on it.
   */
  concurrentTasksPerWorker?: number
}

/** Options of the reused worker processes (ForkManagerOptions.processPool). */
export interface ProcessPoolOptions extends ThreadPoolOptions {
  /** Recycle a process whose resident memory passed this, checked after each job: bytes or `'512MB'`. Default: Infinity. */
  maxWorkerMemory?: number | string
}

export interface PoolSettings {
  maxTasksPerWorker: number
  maxWorkerMemory: number
  idleTimeoutMs: number
  concurrentTasksPerWorker: number
}

export const PROCESS_POOL_KEYS = optionKeys<ProcessPoolOptions>({
  maxTasksPerWorker: true, maxWorkerMemory: true, idleTimeout: true, concurrentTasksPerWorker: true,
})
export const THREAD_POOL_KEYS = optionKeys<ThreadPoolOptions>({
  maxTasksPerWorker: true, idleTimeout: true, concurrentTasksPerWorker: true,
})
const DEFAULT_IDLE_MS = 5_000

/** Checks ForkManagerOptions.processPool at the manager's construction. */
export function processPoolSettings(options: ProcessPoolOptions | undefined): PoolSettings {
  return poolSettings(options, 'processPool', PROCESS_POOL_KEYS)
}

/** Checks ForkManagerOptions.threadPool at the manager's construction. */
export function threadPoolSettings(options: ThreadPoolOptions | undefined): PoolSettings {
  return poolSettings(options, 'threadPool', THREAD_POOL_KEYS)
}

function poolSettings(options: ProcessPoolOptions | undefined, name: string, keys: typeof PROCESS_POOL_KEYS): PoolSettings {
  if (options === undefined) {
    return {
      maxTasksPerWorker: Infinity, maxWorkerMemory: Infinity, idleTimeoutMs: DEFAULT_IDLE_MS, concurrentTasksPerWorker: 1
    }
  }
  validateOptions(options, name, keys)
  return {
    maxTasksPerWorker: options.maxTasksPerWorker === undefined
      ? Infinity
      : validateInteger(options.maxTasksPerWorker, `${name}.maxTasksPerWorker`, 1, undefined, true),
    concurrentTasksPerWorker: options.concurrentTasksPerWorker === undefined
      ? 1
      : validateInteger(options.concurrentTasksPerWorker, `${name}.concurrentTasksPerWorker`, 1),
    maxWorkerMemory: options.maxWorkerMemory === undefined ? Infinity : parseBytes(options.maxWorkerMemory, `${name}.maxWorkerMemory`),
    idleTimeoutMs: options.idleTimeout === undefined ? DEFAULT_IDLE_MS : parseDuration(options.idleTimeout, `${name}.idleTimeout`),
  }
}
