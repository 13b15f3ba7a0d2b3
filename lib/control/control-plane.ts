// The control plane the manager hooks into: named jobs, cancellation by name, the in-flight
// registry, ps, stats, logging, result streams and the status endpoint.

import { ManagerClosedError } from '../errors.js'
import { JobLog, type Logger } from './log.js'
import { applyOverlap, waitUnlessAborted, warnOverlapCancel } from './overlap.js'
import { formatPs } from './ps.js'
import { Registry, type InFlightRecord, type TrackedJob } from './registry.js'
import { ResultStreams, type ResultsOptions } from './result-streams.js'
import { StatsCounter, type JobStats } from './stats.js'
import type { StatusOptions, StatusServer, StatusSource } from './status/server.js'
import type { JobResult, OverlapPolicy } from '../types.js'

const NO_WAITS: ReadonlyArray<Promise<void>> = []

export class ControlPlane {
  readonly #registry = new Registry()
  readonly #stats = new StatsCounter()
  readonly #results = new ResultStreams()
  readonly #log: JobLog
  readonly #overlapWaits = new WeakMap<TrackedJob, ReadonlyArray<Promise<void>>>()
  readonly #servers = new Set<StatusServer>()
  #closed = false
  /** Whether a 'cancel-old' start has cancelled a job yet (the first one is warned of). */
  #overlapWarned = false

  /** `logger`: checked, undefined for none (see defaultLogger). */
  constructor(logger: Logger | undefined) {
    this.#log = new JobLog(logger)
  }

  /**
   * Applies the overlap policy of a start of `name`:
   * older jobs of that name are cancelled for 'cancel-old'; throws an OverlapError for
   * 'reject-new'. Returns what the new job must wait for before it takes a slot.
   */
  overlap(name: string | undefined, policy: OverlapPolicy): ReadonlyArray<Promise<void>> {
    if (name === undefined) return NO_WAITS
    const older = this.#registry.named(name)
    if (policy === 'cancel-old' && older.length > 0 && !this.#overlapWarned) {
      this.#overlapWarned = true
      warnOverlapCancel(name, older)
    }
    return applyOverlap(name, policy, older)
  }

  /** Registers a job as queued; `waits`: what overlap() said it must wait for. */
  enter(job: TrackedJob, waits: ReadonlyArray<Promise<void>>): void {
    if (waits.length > 0) this.#overlapWaits.set(job, waits)
    this.#registry.add(job)
  }

  /**
   * Resolves when the older jobs of its name that it must wait for have ended; rejects if it is cancelled first; undefined when it need not
   * wait.
   */
  admitted(job: TrackedJob): Promise<void> | undefined {
    const { token } = job
    if (token.aborted) return Promise.reject(token.reason)
    const waits = this.#overlapWaits.get(job)
    // Nearly every job has nothing to wait for.
    return waits === undefined ? undefined : waitUnlessAborted(waits, token)
  }

  /** A runner has the job. */
  running(job: TrackedJob): void {
    this.#log.started(job, job.execution!.pid, job.execution!.kind)
  }

  /** A run of a job failed and it runs again (`last`: that run's result). */
  retrying(job: TrackedJob, last: JobResult): void {
    this.#log.retrying(job, last)
  }

  /** A job's result is known; the promise resolves once every open results() stream has taken it (undefined: none waits). */
  ended(job: TrackedJob, result: JobResult, ran: boolean): Promise<void> | undefined {
    this.#registry.remove(job)
    this.#stats.record(result, ran)
    this.#log.ended(job, result)
    return this.#results.deliver(result)
  }

  /** Whether the job is still in flight here. */
  has(job: TrackedJob): boolean {
    return this.#registry.has(job)
  }

  inFlight(): InFlightRecord[] {
    return this.#registry.records()
  }

  ps(): string {
    return formatPs(this.#registry.records())
  }

  stats(): JobStats {
    const records = this.#registry.records()
    const queued = records.filter((r) => r.state === 'queued').length
    return this.#stats.snapshot(queued, records.length - queued)
  }

  /** Cancels every job of that name, or else the one job with that ident; returns how many. */
  cancel(target: string, reason: unknown): number {
    const jobs = this.#registry.find(target)
    for (const job of jobs) job.cancel(reason)
    return jobs.length
  }

  /** Cancels every job in flight; returns how many it asked to stop: not those a timeout or an earlier cancel is stopping already. */
  cancelAll(reason: unknown): number {
    let asked = 0
    for (const job of this.#registry.jobs) {
      if (!job.stopping && !job.token.aborted) asked++
      job.cancel(reason)
    }
    return asked
  }

  results(options?: ResultsOptions): AsyncIterableIterator<JobResult> {
    return this.#results.open(options)
  }

  async serveStatus(source: StatusSource, options?: StatusOptions): Promise<StatusServer> {
    // node:http is loaded only by a manager that serves its status.
    const { serveStatus } = await import('./status/server.js')
    if (this.#closed) throw new ManagerClosedError('ForkManager is closed: serveStatus() after close() would serve nothing')
    const server = await serveStatus(source, options)
    this.#servers.add(server)
    return server
  }

  /** close() was called: finished jobs stop waiting for results() readers. */
  closing(): void {
    this.#results.closing()
  }

  /** Every job has ended: result streams end and status servers close. */
  async closed(): Promise<void> {
    this.#closed = true
    this.#results.close()
    await Promise.all([...this.#servers].map((server) => server.close()))
  }
}
