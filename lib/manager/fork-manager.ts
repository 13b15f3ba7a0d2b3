// ForkManager: Parallel::ForkManager for Node. Jobs run under a cap; every job settles once
// with a JobResult, reported to callbacks and to the promise of its handle.

import { availableParallelism, constants } from 'node:os'
import { ControlPlane } from '../control/control-plane.js'
import { cancelledBeforeStart, SupervisedJob } from './job.js'
import { RunningJobHandle } from './job-handle.js'
import { ManagerClosedError, serializeError } from '../errors.js'
import { ManagerEvents } from './events.js'
import { handleSignals } from './signals.js'
import { assertCloneable, normalizeJob, type NormalizedJob } from '../runners/spec.js'
import { mapItems } from '../map/map.js'
import type { MapJob, MapOptions, MapRun } from '../map/types.js'
import type { Items } from '../map/source.js'
import { describe } from '../util/describe.js'
import { Deadlines } from '../util/deadlines.js'
import { parseDuration } from '../primitives/duration.js'
import { assertCount, Semaphore } from '../primitives/semaphore.js'
import { failedExecution, type Execution } from '../runners/execution.js'
import { Launcher } from '../runners/launcher.js'
import { processPoolSettings } from '../runners/pool/pool.js'
import { DEFAULT_KILL_GRACE_MS, DEFAULT_TIMEOUT_MS, timeoutOption, type ForkManagerOptions, type ShutdownOptions } from './options.js'
import type { Duration, JobHandle, JobKind, JobResult, JobSpec, JobStartInfo, StartOptions } from '../types.js'
import type { InFlightEntry, InFlightRecord } from '../control/registry.js'
import type { ResultsOptions } from '../control/result-streams.js'
import type { JobStats } from '../control/stats.js'
import type { StatusOptions, StatusServer } from '../control/status/server.js'

/** start()'s options when none are given: one object, not one per call. */
const NO_OPTIONS: StartOptions = Object.freeze({})

export class ForkManager {
  #maxProcs: number
  readonly #cap: Semaphore
  readonly #timeoutMs: number
  readonly #killGraceMs: number
  readonly #running = new Set<SupervisedJob>()
  /** Every job's timeout, one timer per duration. */
  readonly #deadlines = new Deadlines()
  #queued = 0
  readonly #launcher: Launcher
  #closing: Promise<void> | undefined
  /** Set by shutdown(): a job woken for a slot in that same turn does not start. */
  #shuttingDown = false
  /** Removes the handleSignals handlers, when there are any. */
  #releaseSignals = (): void => {}
  readonly #events = new ManagerEvents(() => this.#active > 0)
  readonly #control: ControlPlane

  constructor(options: ForkManagerOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`ForkManager options must be an object, got ${describe(options)}`)
    this.#maxProcs = options.maxProcs === undefined ? availableParallelism() : assertCount(options.maxProcs, 'maxProcs')
    this.#cap = new Semaphore(Math.max(1, this.#maxProcs))
    this.#timeoutMs = timeoutOption(options.timeout, 'timeout', DEFAULT_TIMEOUT_MS)
    this.#killGraceMs = timeoutOption(options.killGrace, 'killGrace', DEFAULT_KILL_GRACE_MS)
    this.#control = new ControlPlane(options)
    if (options.handleSignals !== undefined && typeof options.handleSignals !== 'boolean') {
      throw new TypeError(`handleSignals must be a boolean, got ${describe(options.handleSignals)}`)
    }
    this.#launcher = new Launcher(processPoolSettings(options.processPool), () => this.#cap.capacity)
    // Last: nothing may throw after the handlers are installed.
    if (options.handleSignals) this.#releaseSignals = handleSignals((signal) => this.shutdown({ signal }))
  }

  /** The cap. 0 means the serial debug mode. */
  get maxProcs(): number {
    return this.#maxProcs
  }

  /** Changes the cap for the next start, also while jobs run. Running jobs are not stopped when it drops. */
  setMaxProcs(maxProcs: number): void {
    this.#maxProcs = assertCount(maxProcs, 'maxProcs')
    this.#cap.capacity = Math.max(1, maxProcs)
    this.#launcher.resize()
    this.#events.check()
  }

  /** Called as each job starts, with its ident and pid. */
  runOnStart(callback: (info: JobStartInfo) => void): this {
    this.#events.onStart(assertFunction(callback, 'runOnStart callback'))
    return this
  }

  /** Called as each job ends, with its JobResult (also for jobs cancelled before they started). */
  runOnFinish(callback: (result: JobResult) => void): this {
    this.#events.onFinish(assertFunction(callback, 'runOnFinish callback'))
    return this
  }

  /** Called every `period` (default 1s) while jobs are running or waiting for a slot. */
  runOnWait(callback: () => void, period: Duration = 1000): this {
    this.#events.onWait(assertFunction(callback, 'runOnWait callback'), parseDuration(period, 'runOnWait period'))
    return this
  }

  /**
   * Starts a job once a slot is free; resolves with its handle when it is running. In the serial
   * debug mode (maxProcs 0) it resolves after the job has finished, worker files running in this process.
   * Rejects at once with a TypeError or RangeError for bad arguments, and after `close()`.
   */
  start(ident: string, job: JobSpec, options: StartOptions = NO_OPTIONS): Promise<JobHandle> {
    let spec: NormalizedJob
    let timeoutMs: number
    let killGraceMs: number
    let entry: InFlightEntry
    try {
      if (typeof ident !== 'string') throw new TypeError(`start() ident must be a string, got ${describe(ident)}`)
      spec = normalizeJob(job)
      if (typeof options !== 'object' || options === null) throw new TypeError(`start() options must be an object, got ${describe(options)}`)
      timeoutMs = timeoutOption(options.timeout, 'timeout', this.#timeoutMs)
      killGraceMs = timeoutOption(options.killGrace, 'killGrace', this.#killGraceMs)
      const { signal } = options
      if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`start() signal must be an AbortSignal, got ${describe(signal)}`)
      if (this.#closing) throw new ManagerClosedError(`ForkManager is closed: cannot start ${JSON.stringify(ident)} after close()`)
      if (spec.type === 'worker' && this.#maxProcs > 0) assertCloneable(spec.data, ident)
      // Every way of cancelling the job (signal, name, handle, overlap) aborts entry.token.
      entry = this.#control.enter(ident, spec, this.#kindOf(spec), options, timeoutMs)
    } catch (error) {
      // Not an async function (its state would cost every job), so its throws become rejections here.
      return Promise.reject(error)
    }
    this.#queued++
    this.#events.busy()
    const admitted = this.#control.admitted(entry)
    if (admitted !== undefined || !this.#cap.tryAcquire()) return this.#startWhenFree(admitted, spec, ident, timeoutMs, killGraceMs, entry)
    // Nothing to wait for and a slot free: it starts within this call, without waiting a turn.
    this.#events.check()
    this.#queued--
    return this.#run(spec, ident, timeoutMs, killGraceMs, entry)
  }

  /**
   * Runs `job` over every item of `items` (an array, an iterable or an async iterable) and returns
   * the per-item results as an async iterable, with all() to collect them. A worker job gets the
   * items in chunks (see MapOptions.chunkSize); a function `(item, index) => job` runs one job per
   * item (commands, say). Each chunk or job is a job of this manager, under its cap. See lib/map/map.ts.
   */
  map<T = unknown, I = unknown>(items: Items<I>, job: MapJob<I>, options?: MapOptions): MapRun<T, I> {
    return mapItems<T, I>(this, items, job, options)
  }

  /** Resolves with the next job's JobResult as it finishes; with undefined at once when no job is running or waiting. */
  waitOneChild(): Promise<JobResult | undefined> {
    if (this.#active === 0) return Promise.resolve(undefined)
    return this.#events.nextFinish()
  }

  /** Resolves when every job started so far (running or waiting for a slot) has finished. */
  waitAllChildren(): Promise<void> {
    return this.#events.when(() => this.#active === 0)
  }

  /** Resolves when at least `n` slots are free. */
  waitForAvailableProcs(n = 1): Promise<void> {
    assertCount(n, 'waitForAvailableProcs(n)', 1)
    if (n > this.#cap.capacity) {
      return Promise.reject(new RangeError(`waitForAvailableProcs(${n}) can never resolve: maxProcs is ${this.#maxProcs}`))
    }
    return this.#events.when(() => this.#cap.capacity - this.#cap.held >= n)
  }

  /** The pids of running jobs that have a process (thread jobs have none). */
  runningProcs(): number[] {
    return [...this.runningProcsWithIdentifiers().keys()]
  }

  /** pid → ident for running jobs that have a process. */
  runningProcsWithIdentifiers(): Map<number, string> {
    const out = new Map<number, string>()
    for (const job of this.#running) {
      if (job.execution.pid !== null) out.set(job.execution.pid, job.ident)
    }
    return out
  }

  /** Jobs running now, threads included. */
  get runningCount(): number {
    return this.#running.size
  }

  /** Waits for every job, then releases the threads and the reused processes. Later starts reject. Calling it again returns the same promise. */
  close(): Promise<void> {
    if (this.#closing === undefined) this.#control.closing()
    this.#closing ??= this.waitAllChildren().then(async () => {
      this.#releaseSignals()
      await this.#launcher.close()
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
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const signal = options.signal ?? 'SIGTERM'
    if (typeof signal !== 'string' || !(signal in constants.signals)) {
      throw new TypeError(`shutdown() signal must be a signal name such as 'SIGTERM', got ${describe(signal)}`)
    }
    const graceMs = timeoutOption(options.grace, 'grace', this.#killGraceMs)
    const closed = this.close()
    this.#shuttingDown = true
    // Running jobs first, with this signal and grace (the first stop of a job wins); then the
    // queued ones, which never start.
    for (const job of this.#running) job.stop({ cancelled: true, reason: 'shutdown' }, signal, graceMs)
    this.#control.cancelAll('shutdown')
    return closed
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  // The control plane (lib/control/control-plane.ts): named jobs, cancellation, registry, ps, stats, results, status.

  /** Cancels every job of that name, or else the one job with that ident; returns how many it asked to stop. Throws an AmbiguousJobError for an ident shared by several jobs. A handle cancels its job. */
  cancel(target: string | JobHandle, reason: unknown = 'cancelled'): number {
    return this.#control.cancel(target, reason)
  }

  /** Cancels every job queued or running; returns how many. */
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

  get #active(): number {
    return this.#running.size + this.#queued
  }

  /** How a job of this spec runs now. */
  #kindOf(spec: NormalizedJob): JobKind {
    return spec.type === 'command' ? 'command' : this.#maxProcs === 0 ? 'inline' : spec.isolation
  }

  /** Waits for the older jobs of its name and for a slot, then runs the job; a job cancelled meanwhile never starts. */
  async #startWhenFree(admitted: Promise<void> | undefined, spec: NormalizedJob, ident: string, timeoutMs: number, killGraceMs: number, entry: InFlightEntry): Promise<JobHandle> {
    try {
      await admitted
      await this.#cap.acquire({ signal: entry.token })
    } catch (reason) {
      this.#queued--
      return this.#finishUnstarted(ident, this.#kindOf(spec), reason, entry)
    } finally {
      this.#events.check()
    }
    this.#queued--
    return this.#run(spec, ident, timeoutMs, killGraceMs, entry)
  }

  /** The job has its slot: launches it; resolves with its handle (in the serial mode, once the job has ended). */
  #run(spec: NormalizedJob, ident: string, timeoutMs: number, killGraceMs: number, entry: InFlightEntry): Promise<JobHandle> {
    if (this.#shuttingDown) {
      // Woken by a free slot in the same turn as the shutdown: it must not start now.
      this.#cap.release()
      return Promise.resolve(this.#finishUnstarted(ident, this.#kindOf(spec), 'shutdown', entry))
    }
    const serial = this.#maxProcs === 0
    let launched: Execution | Promise<Execution>
    try {
      launched = this.#launcher.launch(spec, ident, serial)
    } catch (error) {
      // A spawn that throws (E2BIG for a huge env, say) fails the job as a start that rejects does.
      launched = Promise.reject(error)
    }
    // The process runners start at once; commands and threads asynchronously.
    if (!(launched instanceof Promise)) return this.#supervise(launched, ident, timeoutMs, killGraceMs, entry, serial)
    const kind = this.#kindOf(spec)
    return launched.then(
      (execution) => this.#supervise(execution, ident, timeoutMs, killGraceMs, entry, serial),
      // A job that could not start has failed, and its slot is freed as any job's.
      (error: unknown) => this.#supervise(failedExecution(kind, serializeError(error)), ident, timeoutMs, killGraceMs, entry, serial),
    )
  }

  /** A launched job: its timeout, its place among the running jobs, its start callbacks and its handle. */
  #supervise(execution: Execution, ident: string, timeoutMs: number, killGraceMs: number, entry: InFlightEntry, serial: boolean): Promise<JobHandle> {
    const supervised = new SupervisedJob(ident, execution, timeoutMs, killGraceMs, this.#deadlines)
    this.#running.add(supervised)
    // From here a cancel of the entry stops the job, also one that came while it was being launched.
    this.#control.running(entry, supervised)
    this.#events.started(ident, execution.kind, execution.pid, supervised.startedAt)
    const result = execution.outcome.then((outcome) => {
      const r = supervised.ended(outcome)
      // The slot is held until every results() stream has room for r: a slow reader slows the pool.
      const delivered = this.#control.ended(entry, r, true)
      return delivered === undefined ? this.#jobEnded(supervised, r) : delivered.then(() => this.#jobEnded(supervised, r))
    })
    const handle = new RunningJobHandle(entry, supervised, result)
    return serial ? result.then(() => handle) : Promise.resolve(handle)
  }

  /** A job that ran has ended and every results() stream has it: its slot is free. */
  #jobEnded(supervised: SupervisedJob, r: JobResult): JobResult {
    this.#running.delete(supervised)
    this.#cap.release()
    this.#events.finished(r)
    return r
  }

  #finishUnstarted(ident: string, kind: JobKind, reason: unknown, entry: InFlightEntry): JobHandle {
    const r = cancelledBeforeStart(ident, kind, reason)
    // It holds no slot, so nothing waits for results() readers to take it.
    void this.#control.ended(entry, r, false)
    this.#events.finished(r)
    return { ident, kind, pid: null, startedAt: r.startedAt, result: Promise.resolve(r), cancel: () => {} }
  }
}

function assertFunction<T>(value: T, what: string): T {
  if (typeof value !== 'function') throw new TypeError(`${what} must be a function, got ${describe(value)}`)
  return value
}
