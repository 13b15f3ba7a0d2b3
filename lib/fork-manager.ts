// ForkManager: Parallel::ForkManager for Node. Jobs run under a cap; every job settles once
// with a JobResult, reported to callbacks and to the promise of its handle.

import { availableParallelism, constants } from 'node:os'
import { ControlPlane } from './control.js'
import { cancelledBeforeStart, SupervisedJob } from './job.js'
import { ManagerEvents } from './manager-events.js'
import { handleSignals } from './signal-handlers.js'
import { assertCloneable, normalizeJob, type NormalizedJob } from './job-spec.js'
import { mapItems } from './map.js'
import type { MapJob, MapOptions, MapRun } from './map-types.js'
import type { Items } from './map-source.js'
import { describe } from './primitives/describe.js'
import { parseDuration } from './primitives/duration.js'
import { assertCount, Semaphore } from './primitives/semaphore.js'
import { startCommand } from './runners/command.js'
import type { Execution } from './runners/execution.js'
import { startInline } from './runners/inline.js'
import { startProcessWorker } from './runners/process.js'
import { ProcessPool, processPoolSettings, type ProcessPoolOptions, type ProcessPoolSettings } from './runners/process-pool.js'
import { ThreadRunner } from './runners/thread.js'
import type { Duration, JobHandle, JobKind, JobResult, JobSpec, JobStartInfo, OverlapPolicy, StartOptions } from './types.js'
import type { Logger } from './log.js'
import type { InFlightEntry, InFlightRecord } from './registry.js'
import type { ResultsOptions } from './results.js'
import type { JobStats } from './stats.js'
import type { StatusOptions, StatusServer } from './status/server.js'

export interface ForkManagerOptions {
  /** How many jobs run at once. Default: os.availableParallelism(). 0: the serial debug mode. */
  maxProcs?: number
  /** Every job's timeout unless its start says otherwise. Default '24h'; Infinity disables it. */
  timeout?: Duration
  /** Time between SIGTERM and SIGKILL when a job is stopped. Default '5s'. */
  killGrace?: Duration
  /** What a start of a named job does while another job of that name is in flight. Default 'cancel-old'. */
  onOverlap?: OverlapPolicy
  /** Where job lines go (pino-compatible). Default: util.debuglog('forkpool'), shown by NODE_DEBUG=forkpool. */
  logger?: Logger
  /** The reused worker processes of `isolation: 'process-pool'`: recycling and idle time. They belong to the manager, one pool per manager. */
  processPool?: ProcessPoolOptions
  /**
   * On SIGINT or SIGTERM, shut down (passing that signal on to the jobs), then let the signal
   * end this process as it would have (or, where it is ignored, exit with 128 + its number once
   * the process is done). The handlers go away when the manager closes. Default false.
   */
  handleSignals?: boolean
}

export interface ShutdownOptions {
  /** The signal running jobs get first; SIGKILL follows after `grace`. Default 'SIGTERM'. */
  signal?: NodeJS.Signals
  /** Time between that signal and SIGKILL. Default: the manager's killGrace. */
  grace?: Duration
}


const DEFAULT_TIMEOUT_MS = 24 * 3_600_000
const DEFAULT_KILL_GRACE_MS = 5_000

export class ForkManager {
  #maxProcs: number
  readonly #cap: Semaphore
  readonly #timeoutMs: number
  readonly #killGraceMs: number
  readonly #running = new Set<SupervisedJob>()
  #queued = 0
  #threads: ThreadRunner | undefined
  #processes: ProcessPool | undefined
  readonly #processPool: ProcessPoolSettings
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
    this.#processPool = processPoolSettings(options.processPool)
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
    this.#threads?.resize(this.#cap.capacity)
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
  async start(ident: string, job: JobSpec, options: StartOptions = {}): Promise<JobHandle> {
    if (typeof ident !== 'string') throw new TypeError(`start() ident must be a string, got ${describe(ident)}`)
    const spec = normalizeJob(job)
    if (typeof options !== 'object' || options === null) throw new TypeError(`start() options must be an object, got ${describe(options)}`)
    const timeoutMs = timeoutOption(options.timeout, 'timeout', this.#timeoutMs)
    const killGraceMs = timeoutOption(options.killGrace, 'killGrace', this.#killGraceMs)
    const { signal } = options
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`start() signal must be an AbortSignal, got ${describe(signal)}`)
    if (this.#closing) throw new Error(`ForkManager is closed: cannot start ${JSON.stringify(ident)} after close()`)
    if (spec.type === 'worker' && this.#maxProcs > 0) assertCloneable(spec.data, ident)
    const plannedKind: JobKind = spec.type === 'command' ? 'command' : this.#maxProcs === 0 ? 'inline' : spec.isolation
    // Every way of cancelling the job (signal, name, handle, overlap) aborts entry.token.
    const entry = this.#control.enter(ident, spec, plannedKind, options, timeoutMs)

    this.#queued++
    this.#events.busy()
    const admitted = this.#control.admitted(entry)
    // Nothing to wait for and a slot free: it starts within this call, without waiting a turn.
    if (admitted === undefined && this.#cap.tryAcquire()) this.#events.check()
    else {
      try {
        await admitted
        await this.#cap.acquire({ signal: entry.token })
      } catch (reason) {
        this.#queued--
        return this.#finishUnstarted(ident, plannedKind, reason, entry)
      } finally {
        this.#events.check()
      }
    }
    this.#queued--
    if (this.#shuttingDown) {
      // Woken by a free slot in the same turn as the shutdown: it must not start now.
      this.#cap.release()
      return this.#finishUnstarted(ident, plannedKind, 'shutdown', entry)
    }
    const serial = this.#maxProcs === 0
    const launched = this.#launch(spec, ident, serial)
    // Commands and threads start asynchronously; the other runners at once.
    const execution = launched instanceof Promise ? await launched : launched
    const supervised = new SupervisedJob(ident, execution, timeoutMs, killGraceMs)
    this.#running.add(supervised)
    // From here a cancel of the entry stops the job, also one that came while it was being launched.
    this.#control.running(entry, supervised)

    const info: JobStartInfo = { ident, kind: execution.kind, pid: execution.pid, startedAt: supervised.startedAt }
    this.#events.started(info)
    const result = supervised.result.then((r) => {
      // The slot is held until every results() stream has room for r: a slow reader slows the pool.
      const delivered = this.#control.ended(entry, r, true)
      return delivered === undefined ? this.#jobEnded(supervised, r) : delivered.then(() => this.#jobEnded(supervised, r))
    })
    const handle: JobHandle = {
      ident,
      kind: info.kind,
      pid: info.pid,
      startedAt: info.startedAt,
      result,
      cancel: (reason?: unknown) => supervised.stop({ cancelled: true, reason: reason ?? 'cancelled' }),
    }
    this.#control.track(handle, entry)
    if (serial) await result
    return handle
  }

  /**
   * Runs `job` over every item of `items` (an array, an iterable or an async iterable) and returns
   * the per-item results as an async iterable, with all() to collect them. A worker job gets the
   * items in chunks (see MapOptions.chunkSize); a function `(item, index) => job` runs one job per
   * item (commands, say). Each chunk or job is a job of this manager, under its cap. See lib/map.ts.
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
      await Promise.all([this.#threads?.close(), this.#processes?.close()])
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

  // The control plane (lib/control.ts): named jobs, cancellation, registry, ps, stats, results, status.

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

  #launch(spec: NormalizedJob, ident: string, serial: boolean): Execution | Promise<Execution> {
    if (spec.type === 'command') return startCommand(spec)
    if (serial) return startInline(spec, ident)
    if (spec.isolation === 'process') return startProcessWorker(spec, ident)
    if (spec.isolation === 'process-pool') return (this.#processes ??= new ProcessPool(this.#processPool, () => this.#cap.capacity)).start(spec, ident)
    this.#threads ??= new ThreadRunner(this.#cap.capacity)
    return this.#threads.start(spec, ident)
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

function timeoutOption(value: Duration | undefined, what: string, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value, what)
}

function assertFunction<T>(value: T, what: string): T {
  if (typeof value !== 'function') throw new TypeError(`${what} must be a function, got ${describe(value)}`)
  return value
}
