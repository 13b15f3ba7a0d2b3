// finish(code, data): a worker function chooses its exit code and data, as Parallel::ForkManager's finish($code, \%data).
//
// Like PFM's finish(), which exits the child, finish() ends the job where it is called: it throws
// its mark, and the code that called the worker function (callWorkerFile, or map()'s chunk worker file) takes the
// mark from the throw as the job's result. So `finish(3, data)` written as a statement, the Perl
// habit, decides the job's result just as `return finish(3, data)` does. A throw, not a record
// kept aside: it travels up the job's own call chain, so jobs running side by side in one process
// or thread each get their own without AsyncLocalStorage (whose promise hook costs every promise
// of the process on Node 20).

import type { WorkerFunction } from '../types.js'
import { validateInteger } from '../util/validate.js'

// A registered symbol, so the mark is recognised even when the worker file loaded
// another copy of forkpool than the runtime that calls it.
const FINISH = Symbol.for('forkpool.finish')

/** What `finish()` throws (and what an older worker file may return): the job's exit code and data. */
export interface Finish<T = unknown> {
  /** @internal The mark the runtimes look for. */
  readonly [FINISH]: true
  /** The job's exit code, 0 to 255. */
  readonly exitCode: number
  /** The job's data (`result.data`). */
  readonly data: T
}

/**
 * Ends the job at once with that exit code and data, as Parallel::ForkManager's `$pm->finish($code, \%data)`
 * ends the child: `finish(3, data)` and `return finish(3, data)` do the same. `finish()` alone ends it
 * with exit code 0 and no data, as `$pm->finish;` does.
 *
 * It never returns: it throws its mark, which the runtime takes as the job's result. Code after it
 * does not run; `finally` blocks do. A `catch` around it receives the mark: rethrow it
 * (`if (isFinish(error)) throw error`). Its return type is `Finish<T>` so that `return finish(code, data)`
 * gives a typed worker function its data type.
 */
export function finish<T>(exitCode = 0, data?: T): Finish<T> {
  validateInteger(exitCode, 'finish() exit code', 0, 255)
  // A plain object, not an Error: no stack is captured, so a map() item that ends in finish() costs no more than one that returns.
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the plain object above, on purpose
  throw { [FINISH]: true, exitCode, data: data as T } satisfies Finish<T>
}

/** True for the mark finish() throws: a `catch` around a finish() call uses it to let the mark through. */
export function isFinish(value: unknown): value is Finish {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FINISH] === true
}

/**
 * The type of a job's `result.data` for a worker function `F`: what it returns, awaited, with the
 * data type of a `return finish(code, data)` in place of the Finish. For `start<WorkerData<typeof worker>>(…)`
 * (a worker file's default export: `typeof import('./worker.js').default`).
 */
export type WorkerData<F extends WorkerFunction> = F extends (...args: never[]) => infer R
  ? Awaited<R> extends infer A ? (A extends Finish<infer T> ? T : A) : never
  : never
