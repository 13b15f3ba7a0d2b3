// ForkManager: Parallel::ForkManager for Node. Jobs run under a cap; every job settles once
// with a JobResult, reported to callbacks and to the promise of its handle.

import { ControlPlane } from '../control/control-plane.js'
import { Job, JobView } from './job.js'
import { Scheduler } from './scheduler.js'
import { ManagerClosedError } from '../errors.js'
import { ManagerEvents } from './events.js'
import { handleSignals } from './signals.js'
import { normalizeJob, type NormalizedJob } from '../runners/spec.js'
import { mapItems } from '../map/map.js'
import { LOCAL_CHUNKS, type ChunkShape } from '../map/chunk-sizer.js'
import { processSpawners } from '../runners/spawner/spawners.js'
import type { MapJob, MapOptions, MapRun } from '../map/types.js'
import type { Items } from '../map/source.js'
import { describe } from '../util/describe.js'
import { parseDuration } from '../primitives/duration.js'
import { validateInteger, validateFunction } from '../util/validate.js'
import {
  checkManagerOptions, checkShutdownOptions, checkStartOptions, NO_START_OPTIONS,
  type ForkManagerOptions, type ShutdownOptions, type StartSettings,
} from './options.js'
import type { Duration, JobHandle, JobKind, JobResult, JobSpec, JobStartInfo, StartOptions } from '../types.js'
import type { InFlightRecord } from '../control/registry.js'
import type { ResultsOptions } from '../control/result-streams.js'
import type { JobStats } from '../control/stats.js'
import type { StatusOptions, StatusServer } from '../control/status/server.js'

/**
 * Runs jobs (commands and worker files) under a concurrency cap, as Perl's Parallel::ForkManager:
 * `start()` waits for a free slot and starts a job; every job settles exactly once with a
 * JobResult, passed to `runOnFinish` callbacks and to its handle's `result`.
 */
export class ForkManager {
  /** What a start() given no options runs with: the manager's timeout, killGrace and onOverlap. */
  readonly #startDefaults: StartSettings
  readonly #killGraceMs: number
  /** map()'s auto chunks, as the backend wants them (a queue hop: longer, with more items); undefined: local ones. */
  readonly #chunkShape: ChunkShape | undefined
  #closing: Promise<void> | undefined
  /** Which call closed the manager, for the error of a later start(). */
  #closedBy: 'close' | 'shutdown' = 'close'
  /** Removes the handleSignals handlers, when there are any. */
  #releaseSignals = (): void => {}
  readonly #events = new ManagerEvents(() => this.#scheduler.active > 0)
  readonly #control: ControlPlane
  readonly #scheduler: Scheduler

  /**
   * Starts this process's spawner processes now (`count`, default min(2, availableParallelism()),
   * or as many as a manager asked for) and resolves once they listen. The first command job or
   * fresh process starts them anyway; call this first when the process will grow before
   * then: the spawners are forked from this process, and a fork costs more the bigger the process is.
   */
  static warm(count?: number): Promise<void> {
    try {
      return processSpawners().warm(count === undefined ? undefined : validateInteger(count, 'ForkManager.warm(count)', 1))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  constructor(options?: ForkManagerOptions) {
    // Every option is checked before anything is built.
    const settings = checkManagerOptions(options)
    this.#startDefaults = settings.startDefaults
    this.#killGraceMs = settings.killGraceMs
    const { backend } = settings
    if (backend !== undefined) {
      this.#chunkShape = {
        targetMs: backend.chunkTargetMs ?? LOCAL_CHUNKS.targetMs, maxItems: backend.chunkMaxItems ?? LOCAL_CHUNKS.maxItems,
      }
    }
    this.#control = new ControlPlane(settings.logger)
    this.#scheduler = new Scheduler(settings.maxProcs, settings.processPool, settings.threadPool, this.#control, this.#events,
      settings.spawners, settings.resources, settings.backend)
    // Last: nothing may throw after the handlers are installed.
    if (settings.handleSignals) this.#releaseSignals = handleSignals((signal) => this.shutdown({ signal }))
  }

  /** The cap. 0 means the serial debug mode. */
  get maxProcs(): number {
    return this.#scheduler.maxProcs
  }

  /** Changes the cap for the next start, also while jobs run. Running jobs are not stopped when it drops. */
  setMaxProcs(maxProcs: number): void {
    this.#scheduler.maxProcs = validateInteger(maxProcs, 'maxProcs')
    this.#events.check()
  }

  /** Called as each job starts, with its ident and pid. */
  runOnStart(callback: (info: JobStartInfo) => void): this {
    this.#events.onStart(validateFunction(callback, 'runOnStart callback'))
    return this
  }

  /** Called as each job ends, with its JobResult (also for jobs cancelled before they started). */
  runOnFinish(callback: (result: JobResult) => void): this {
    this.#events.onFinish(validateFunction(callback, 'runOnFinish callback'))
    return this
  }

  /** Called every `period` (default 1s) while jobs are running or waiting for a slot. */
  runOnWait(callback: () => void, period: Duration = 1000): this {
    this.#events.onWait(validateFunction(callback, 'runOnWait callback'), parseDuration(period, 'runOnWait period'))
    return this
  }

  /**
   * Starts a job once a slot is free; resolves with its handle when it is running. In the serial
   * debug mode (maxProcs 0) it resolves after the job has finished, worker files running in this process.
   * Rejects at once with a TypeError or RangeError for bad arguments, and after `close()`.
   *
   * `T` types the result's `data` (unchecked: it is what the worker file returns): `start<number>(…)`
   * gives a `JobHandle<number>`, whose `result.data` is `number | undefined`. For a worker function's
   * own type, `start<WorkerData<typeof worker>>(…)`.
   */
  start<T = unknown>(ident: string, job: JobSpec, options: StartOptions = NO_START_OPTIONS): Promise<JobHandle<T>> {
    let started: Job
    try {
      if (typeof ident !== 'string') throw new TypeError(`start() ident must be a string, got ${describe(ident)}`)
      const spec = normalizeJob(job)
      const settings = checkStartOptions(options, this.#startDefaults)
      if (this.#closing) {
        throw new ManagerClosedError(`ForkManager is closed: cannot start ${JSON.stringify(ident)} after ${this.#closedBy}()`)
      }
      this.#scheduler.launcher.check(spec, ident, this.maxProcs === 0)
      const waits = this.#control.overlap(settings.name, settings.onOverlap)
      // Every way of cancelling the job (signal, name, handle, overlap, shutdown) is started.cancel().
      started = new Job(ident, spec, this.#kindOf(spec), settings)
      this.#control.enter(started, waits)
    } catch (error) {
      // Not an async function (its state would cost every job), so its throws become rejections here.
      return Promise.reject(error)
    }
    return this.#scheduler.admit(started) as Promise<JobHandle<T>>
  }

  /**
   * Runs `job` over every item of `items` (an array, an iterable or an async iterable) and returns
   * the per-item results as an async iterable, with all() to collect them. A worker job gets the
   * items in chunks (see MapOptions.chunkSize); a function `(item, index) => job` runs one job per
   * item (commands, say). Each chunk or job is a job of this manager, under its cap. See lib/map/map.ts.
   */
  map<T = unknown, I = unknown>(items: Items<I>, job: MapJob<I>, options?: MapOptions): MapRun<T, I> {
    return mapItems<T, I>(this, items, job, options, this.#chunkShape)
  }

  /** Resolves with the next job's JobResult as it finishes; with undefined at once when no job is running or waiting. */
  waitOneChild(): Promise<JobResult | undefined> {
    if (this.#scheduler.active === 0) return Promise.resolve(undefined)
    return this.#events.nextFinish()
  }

  /** Resolves when every job started so far (running or waiting for a slot) has finished. */
  waitAllChildren(): Promise<void> {
    return this.#events.when(() => this.#scheduler.active === 0)
  }

  /**
   * Resolves when at least `n` slots are free. Rejects at once with a RangeError when `n` is
   * over maxProcs, also in the serial mode (maxProcs 0), where Parallel::ForkManager refuses it too.
   */
  waitForAvailableProcs(n = 1): Promise<void> {
    validateInteger(n, 'waitForAvailableProcs(n)', 1)
    const { maxProcs, cap } = this.#scheduler
    if (n > maxProcs) {
      const why = maxProcs === 0
        ? 'maxProcs is 0 (the serial mode has no slots: start() runs each job to its end)'
        : `maxProcs is ${maxProcs}`
      return Promise.reject(new RangeError(`waitForAvailableProcs(${n}) can never resolve: ${why}`))
    }
    return this.#events.when(() => cap.capacity - cap.held >= n)
  }

  /** The pids of running jobs that have a process (thread jobs have none). */
  runningProcs(): number[] {
    return [...this.runningProcsWithIdentifiers().keys()]
  }

  /** pid → ident for running jobs that have a process. */
  runningProcsWithIdentifiers(): Map<number, string> {
    const out = new Map<number, string>()
    for (const job of this.#scheduler.running.values()) {
      const { pid } = job.execution!
      if (pid !== null) out.set(pid, job.ident)
    }
    return out
  }

  /** Jobs running now, threads included. */
  get runningCount(): number {
    return this.#scheduler.running.size
  }

  /**
   * Waits for every job, then releases the threads and the reused processes. Later starts reject. Calling it again returns the same
   * promise.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) this.#control.closing()
    this.#closing ??= this.waitAllChildren().then(async () => {
      this.#releaseSignals()
      await this.#scheduler.launcher.close()
      await this.#control.closed()
    })
    return this.#closing
  }

  /**
   * Stops everything: no new jobs are admitted, jobs waiting for a slot are cancelled, running
   * ones get `signal` and SIGKILL after `grace` (their results have `cancelled: true` and
   * cancelReason 'shutdown'), every callback fires, and it resolves once all have ended and the
   * threads are released.
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    const { signal, graceMs } = checkShutdownOptions(options, this.#killGraceMs)
    if (this.#closing === undefined) this.#closedBy = 'shutdown'
    const closed = this.close()
    // Running jobs first, with this signal and grace (the first stop of a job wins); then the
    // queued ones, which never start.
    this.#scheduler.shutdown(signal, graceMs)
    this.#control.cancelAll('shutdown')
    return closed
  }

  /** `await using pm = new ForkManager()`: closes the manager at the end of the scope, as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  // The control plane (lib/control/control-plane.ts): named jobs, cancellation, registry, ps, stats, results, status.

  /**
   * Cancels every job of that name, or else the one job with that ident; returns how many it asked to stop. Throws an AmbiguousJobError for
   * an ident shared by several jobs. A handle cancels its job.
   */
  cancel(target: string | JobHandle, reason: unknown = 'cancelled'): number {
    if (typeof target === 'string') return this.#control.cancel(target, reason)
    if (typeof target !== 'object' || target === null || typeof target.cancel !== 'function') {
      throw new TypeError(`cancel() takes a job's name, its ident or its handle, got ${describe(target)}`)
    }
    const job = JobView.jobOf(target)
    if (job === undefined) {
      // A handle of the user's own making: its cancel is all there is to call.
      target.cancel(reason)
      return 0
    }
    const inFlight = this.#control.has(job)
    job.cancel(reason)
    return inFlight ? 1 : 0
  }

  /**
   * Cancels every job queued or running; returns how many it asked to stop (a job that a timeout or an earlier cancel is stopping already
   * is not counted).
   */
  cancelAll(reason: unknown = 'cancelled'): number {
    return this.#control.cancelAll(reason)
  }

  /** One record per job queued or running. */
  inFlight(): InFlightRecord[] {
    return this.#control.inFlight()
  }

  /** The in-flight jobs as a plain-text table for an 80-column terminal. */
  ps(): string {
    return this.#control.ps()
  }

  /** How many jobs are queued and running, how the finished ones ended, and their duration percentiles. */
  stats(): JobStats {
    return this.#control.stats()
  }

  /** JobResults as jobs finish from now on, until close(); see the README for its buffering. */
  results(options?: ResultsOptions): AsyncIterableIterator<JobResult> {
    return this.#control.results(options)
  }

  /** Serves /jobs, /ps, /stats, the status page and (with a token) cancelling over HTTP; loopback unless told otherwise. */
  serveStatus(options?: StatusOptions): Promise<StatusServer> {
    return this.#control.serveStatus(this, options)
  }

  /** How a job of this spec runs now. */
  #kindOf(spec: NormalizedJob): JobKind {
    return spec.type === 'command' ? 'command' : this.maxProcs === 0 ? 'inline' : spec.isolation
  }
}
