// finish(code, data): a worker chooses its exit code and data, as Parallel::ForkManager's finish($code, \%data).

// A registered symbol, so the mark is recognised even when the worker file loaded
// another copy of forkpool than the runtime that calls it.
const FINISH = Symbol.for('forkpool.finish')

/** What `finish()` returns: a worker returns it to choose its job's exit code and data. */
export interface Finish<T = unknown> {
  /** @internal The mark the runtimes look for. */
  readonly [FINISH]: true
  /** The job's exit code, 0 to 255. */
  readonly exitCode: number
  /** The job's data (`result.data`). */
  readonly data: T
}

/**
 * Return `finish(code, data)` from a worker to end the job with that exit code and data.
 * `finish()` alone ends it with exit code 0, as Parallel::ForkManager's `$pm->finish;` does.
 */
export function finish<T>(exitCode = 0, data?: T): Finish<T> {
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) {
    throw new RangeError(`finish() exit code must be a whole number from 0 to 255, got ${String(exitCode)}`)
  }
  return { [FINISH]: true, exitCode, data: data as T }
}

export function isFinish(value: unknown): value is Finish {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FINISH] === true
}
