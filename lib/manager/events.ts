// What the manager tells the world as jobs come and go: runOnStart/runOnFinish/runOnWait
// callbacks, and the promises of waitOneChild, waitAllChildren and waitForAvailableProcs.

import type { JobKind, JobResult, JobStartInfo } from '../types.js'
import { CALLBACK_WARNING, emitForkpoolWarning } from '../errors.js'

type Waiter = { ready: () => boolean; resolve: () => void }
type WaitTick = { callback: () => void; periodMs: number; timer?: NodeJS.Timeout }

export class ManagerEvents {
  readonly #onStart: Array<(info: JobStartInfo) => void> = []
  readonly #onFinish: Array<(result: JobResult) => void> = []
  readonly #ticks: WaitTick[] = []
  readonly #waiters: Waiter[] = []
  readonly #nextFinish: Array<(result: JobResult) => void> = []
  /** Whether any job is running or waiting for a slot. */
  readonly #busy: () => boolean

  constructor(busy: () => boolean) {
    this.#busy = busy
  }

  onStart(callback: (info: JobStartInfo) => void): void {
    this.#onStart.push(callback)
  }

  onFinish(callback: (result: JobResult) => void): void {
    this.#onFinish.push(callback)
  }

  /** Calls `callback` every `periodMs` while the manager is busy. */
  onWait(callback: () => void, periodMs: number): void {
    const tick: WaitTick = { callback, periodMs }
    this.#ticks.push(tick)
    if (this.#busy()) this.#tick(tick)
  }

  /** A job started; its JobStartInfo is made only for runOnStart callbacks, when there are any. */
  started(ident: string, kind: JobKind, pid: number | null, startedAt: number, host: string | null): void {
    if (this.#onStart.length > 0) this.#emit(this.#onStart, { ident, kind, pid, startedAt, host })
  }

  /** A job ended: its callbacks, then whoever waits for the next result, then the other waiters. */
  finished(result: JobResult): void {
    if (this.#onFinish.length > 0) this.#emit(this.#onFinish, result)
    if (this.#nextFinish.length > 0) for (const resolve of this.#nextFinish.splice(0)) resolve(result)
    this.check()
  }

  /** A job arrived: the wait ticks run from now on. */
  busy(): void {
    for (const tick of this.#ticks) this.#tick(tick)
  }

  nextFinish(): Promise<JobResult> {
    return new Promise((resolve) => this.#nextFinish.push(resolve))
  }

  /** Resolves once `ready()` holds (checked now and at every check()). */
  when(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ ready, resolve }))
  }

  /** Wakes the waiters whose condition holds now, and stops the wait ticks when idle. */
  check(): void {
    for (let i = 0; i < this.#waiters.length; i++) {
      const waiter = this.#waiters[i]!
      if (waiter.ready()) {
        this.#waiters.splice(i--, 1)
        waiter.resolve()
      }
    }
    if (!this.#busy()) {
      for (const tick of this.#ticks) {
        clearInterval(tick.timer)
        delete tick.timer
      }
    }
  }

  #tick(tick: WaitTick): void {
    if (tick.timer !== undefined) return
    // Called with no arguments, as documented (and as Parallel::ForkManager calls run_on_wait's).
    tick.timer = setInterval(() => this.#emit([tick.callback]), tick.periodMs)
    tick.timer.unref()
  }

  /** Calls user callbacks; one that throws is reported as a process warning and never disturbs the jobs. */
  #emit<A extends unknown[]>(callbacks: Array<(...args: A) => void>, ...args: A): void {
    for (const callback of callbacks) {
      try {
        callback(...args)
      } catch (error) {
        emitForkpoolWarning(error, CALLBACK_WARNING)
      }
    }
  }
}
