// Every error a user of forkpool can meet, one class per code. The plain-data form in which errors
// cross process and thread boundaries inside a JobResult is made in util/serialize-error.ts.
//
// A worker file that runs a ForkManager of its own may load a second copy of forkpool (its own install,
// or inline mode next to the parent's copy), and `instanceof` against one copy's class must still
// recognise an error made by the other. So the classes are told apart the way undici does it: a
// Symbol.for() brand that every copy shares, and the error's code.

import type { SerializedError } from './types.js'

const BRAND = Symbol.for('forkpool.error')

/**
 * The base of every error forkpool makes. `code` is stable across versions; `instanceof` works
 * across copies of forkpool: `x instanceof ForkpoolError` for any of them, `x instanceof
 * WorkerExitError` only for that code.
 */
export class ForkpoolError extends Error {
  /** The code every error of this class carries; compare `result.error.code` with it. */
  static readonly code: string = 'ERR_FORKPOOL'
  /** This error's code: its class's `code`, e.g. `ERR_FORKPOOL_WORKER_EXIT`. */
  readonly code: string

  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = new.target.code
  }

  /** @internal `instanceof` by brand and code, so it works across two loaded copies of forkpool. */
  static override [Symbol.hasInstance]<T extends Error>(this: ErrorClass<T>, value: unknown): value is T {
    if (typeof value !== 'object' || value === null || (value as { [BRAND]?: unknown })[BRAND] !== true) return false
    // `this` is the class on the right of instanceof: this copy's base takes any brand, a subclass its code.
    return (this as object) === ForkpoolError || (value as { code?: unknown }).code === this.code
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true })
    named(this, 'ForkpoolError')
  }
}

/** @internal One of the classes here, as a value. */
interface ErrorClass<T extends Error = ForkpoolError> {
  readonly code: string
  readonly prototype: T
}

/** The class's name on its prototype, where Error keeps its own: it survives minifiers and shows in stacks. */
function named(error: ErrorClass, name: string): void {
  Object.defineProperty(error.prototype, 'name', { value: name, writable: true, configurable: true })
}

/** A call that needs an open manager (start(), serveStatus()) after close(). */
export class ManagerClosedError extends ForkpoolError {
  /** `ERR_FORKPOOL_CLOSED`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_CLOSED'
  static {
    named(this, 'ManagerClosedError')
  }
}

/** A start refused by `onOverlap: 'reject-new'`. */
export class OverlapError extends ForkpoolError {
  /** `ERR_FORKPOOL_OVERLAP`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_OVERLAP'
  /** The name of the job already in flight. */
  readonly jobName: string

  /** `olderIdent`: the ident of the job of that name already in flight. */
  constructor(jobName: string, olderIdent: string) {
    super(`job ${JSON.stringify(jobName)} is already in flight (ident ${JSON.stringify(olderIdent)}); onOverlap 'reject-new' refuses a ` +
      `second start`)
    this.jobName = jobName
  }

  static {
    named(this, 'OverlapError')
  }
}

/** Thrown when a cancel target is an ident shared by several in-flight jobs. */
export class AmbiguousJobError extends ForkpoolError {
  /** `ERR_FORKPOOL_AMBIGUOUS_JOB`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_AMBIGUOUS_JOB'
  static {
    named(this, 'AmbiguousJobError')
  }
}

/** What `put` on a closed Channel, and `get` on a closed and drained one, reject with. */
export class ChannelClosedError extends ForkpoolError {
  /** `ERR_FORKPOOL_CHANNEL_CLOSED`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_CHANNEL_CLOSED'
  static {
    named(this, 'ChannelClosedError')
  }
}

/**
 * Thrown by start() (and so by a map() chunk, which map() then splits) for a job whose data is
 * over its backend's size limit (redisBackend's `maxDataBytes`). A RangeError, as every value out
 * of range is, and a ForkpoolError by its brand and code; `bytes` is the data's size once
 * serialized, `limit` the backend's.
 */
export class DataTooLargeError extends RangeError {
  /** `ERR_FORKPOOL_DATA_TOO_LARGE`: the code every error of this class carries. */
  static readonly code = 'ERR_FORKPOOL_DATA_TOO_LARGE'
  /** This error's code, `ERR_FORKPOOL_DATA_TOO_LARGE`. */
  readonly code: string = DataTooLargeError.code
  /** The job's data, in bytes once serialized. */
  readonly bytes: number
  /** The backend's limit, in bytes. */
  readonly limit: number

  constructor(message: string, bytes: number, limit: number, options?: ErrorOptions) {
    super(message, options)
    this.bytes = bytes
    this.limit = limit
  }

  /** @internal `instanceof` by brand and code, as ForkpoolError's: RangeError is its base class. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ForkpoolError[Symbol.hasInstance].call(this, value)
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true })
    named(this, 'DataTooLargeError')
  }
}

/** In a JobResult: a pool worker process could not be started, or died before it was ready. */
export class WorkerStartError extends ForkpoolError {
  /** `ERR_FORKPOOL_WORKER_START`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_WORKER_START'
  static {
    named(this, 'WorkerStartError')
  }
}

/** In a JobResult: the pool worker process running the job exited or was killed under it. */
export class WorkerExitError extends ForkpoolError {
  /** `ERR_FORKPOOL_WORKER_EXIT`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_WORKER_EXIT'
  static {
    named(this, 'WorkerExitError')
  }
}

/**
 * In a JobResult: the spawner process that started a command ended while the job ran (its process group is killed), or before it said the
 * job had started.
 */
export class SpawnerExitError extends ForkpoolError {
  /** `ERR_FORKPOOL_SPAWNER_EXIT`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_SPAWNER_EXIT'
  static {
    named(this, 'SpawnerExitError')
  }
}

/** In a JobResult: a captured command wrote more than maxBuffer to one stream. */
export class MaxBufferError extends ForkpoolError {
  /** `ERR_FORKPOOL_MAX_BUFFER`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_MAX_BUFFER'
  static {
    named(this, 'MaxBufferError')
  }
}

/** In a JobResult: a worker function's result could not be sent to the parent (structured clone failed). */
export class DataCloneError extends ForkpoolError {
  /** `ERR_FORKPOOL_DATA_CLONE`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_DATA_CLONE'
  static {
    named(this, 'DataCloneError')
  }
}

/**
 * In a JobResult: a remote job's agent was lost while it ran (killed, or cut off from Redis past
 * its lock), and it was not run again: the redisBackend's `delivery: 'at-most-once'`, or it was
 * lost more often than the agents' stall limit allows.
 */
export class WorkerLostError extends ForkpoolError {
  /** `ERR_FORKPOOL_WORKER_LOST`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_WORKER_LOST'
  static {
    named(this, 'WorkerLostError')
  }
}

/**
 * In a JobResult: a remote job vanished from Redis before its result came (Redis lost its data), or Redis stayed unreachable past the
 * backend's bound.
 */
export class JobLostError extends ForkpoolError {
  /** `ERR_FORKPOOL_JOB_LOST`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_JOB_LOST'
  static {
    named(this, 'JobLostError')
  }
}

/**
 * A job stopped or given up: the reason a worker function's ctx.signal is aborted with, and, in a JobResult,
 * a job stopped before it began, a terminated thread, an abandoned inline job. Named 'AbortError'
 * like the DOM's, so checks of `error.name === 'AbortError'` hold.
 */
export class AbortError extends ForkpoolError {
  /** `ERR_FORKPOOL_ABORTED`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_ABORTED'
  static {
    named(this, 'AbortError')
  }
}

/** The JobResult error for one of the classes above, without a stack (it would show forkpool's internals, not the job). */
export function jobError(error: ErrorClass, message: string): SerializedError {
  return { name: error.prototype.name, code: error.code, message }
}

/** The `type` of the process warnings that report a throw from user code: a callback, a logger. */
export const CALLBACK_WARNING = 'ForkpoolCallbackWarning'
export const LOGGER_WARNING = 'ForkpoolLoggerWarning'

/** Reports a throw from user code as a process warning: it never disturbs the jobs. */
export function emitForkpoolWarning(error: unknown, type: typeof CALLBACK_WARNING | typeof LOGGER_WARNING): void {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)), type)
}

/**
 * A worker file that could not be loaded: it does not exist, has a syntax error, exports no
 * function by default, or threw while it was imported. In a JobResult (`result.error.code`); and
 * what a map() over that worker file throws, once, instead of failing every item alike.
 */
export class WorkerLoadError extends ForkpoolError {
  /** `ERR_FORKPOOL_WORKER_LOAD`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_WORKER_LOAD'
  static {
    named(this, 'WorkerLoadError')
  }
}

// The remote failures a user meets (forkpool/redis): an agent or a producer that cannot reach
// Redis, a job an agent refuses, a job the queue could not take or failed.

/**
 * Redis did not answer within the connectTimeout: what `startAgent()` (and `forkpool worker`)
 * rejects with, and, in a JobResult, the error of a remote job whose producer could not reach it.
 */
export class RedisUnreachableError extends ForkpoolError {
  /** `ERR_FORKPOOL_REDIS_UNREACHABLE`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_REDIS_UNREACHABLE'
  static {
    named(this, 'RedisUnreachableError')
  }
}

/**
 * In a JobResult: an agent refused to run the job. Its worker file is outside the agent's root,
 * or differs from the producer's (its SHA-256), or it is a command and the agent runs none.
 */
export class JobRefusedError extends ForkpoolError {
  /** `ERR_FORKPOOL_JOB_REFUSED`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_JOB_REFUSED'
  static {
    named(this, 'JobRefusedError')
  }
}

/**
 * In a JobResult: the queue did not run a remote job: Redis refused to queue it (a refused command,
 * or Redis away longer than the backend's lostAfter), or BullMQ failed it for a reason other than
 * lost agents (those are WorkerLostErrors).
 */
export class QueueError extends ForkpoolError {
  /** `ERR_FORKPOOL_QUEUE`: the code every error of this class carries. */
  static override readonly code = 'ERR_FORKPOOL_QUEUE'
  static {
    named(this, 'QueueError')
  }
}
