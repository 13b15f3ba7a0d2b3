// The control plane the manager hooks into: named jobs, cancellation by name, the in-flight
// registry, ps, stats, logging, result streams and the status endpoint.

import { ManagerClosedError } from '../errors.js'
import { JobLog, assertLogger, defaultLogger, type Logger } from './log.js'
import type { SupervisedJob } from '../manager/job.js'
import { RunningJobHandle } from '../manager/job-handle.js'
import type { NormalizedJob } from '../runners/spec.js'
import { OVERLAP_POLICIES, applyOverlap, waitUnlessAborted } from './overlap.js'
import { describe } from '../util/describe.js'
import { formatPs } from './ps.js'
import { InFlightEntry, Registry, type InFlightRecord } from './registry.js'
import { ResultStreams, type ResultsOptions } from './result-streams.js'
import { StatsCounter, type JobStats } from './stats.js'
import type { StatusOptions, StatusServer, StatusSource } from './status/server.js'
import type { JobHandle, JobKind, JobResult, OverlapPolicy, StartOptions } from '../types.js'

export interface ControlOptions {
  onOverlap?: OverlapPolicy
  logger?: Logger
}

const NO_WAITS: ReadonlyArray<Promise<void>> = []

export class ControlPlane {
  readonly #registry = new Registry()
  readonly #stats = new StatsCounter()
  readonly #results = new ResultStreams()
  readonly #log: JobLog
  readonly #onOverlap: OverlapPolicy
  readonly #overlapWaits = new WeakMap<InFlightEntry, ReadonlyArray<Promise<void>>>()
  readonly #servers = new Set<StatusServer>()
  #closed = false

  constructor(options: ControlOptions) {
    this.#onOverlap = options.onOverlap === undefined ? 'cancel-old' : overlapPolicy(options.onOverlap, 'onOverlap')
    this.#log = new JobLog(options.logger === undefined ? defaultLogger() : assertLogger(options.logger))
  }

  /** A start() call: checks name, label and onOverlap, applies the overlap policy and registers the job as queued. */
  enter(ident: string, spec: NormalizedJob, kind: JobKind, options: StartOptions, timeoutMs: number): InFlightEntry {
    const { name, label } = options
    if (name !== undefined && (typeof name !== 'string' || name === '')) throw new TypeError(`start() name must be a non-empty string, got ${describe(name)}`)
    if (label !== undefined && typeof label !== 'string') throw new TypeError(`start() label must be a string, got ${describe(label)}`)
    const policy = options.onOverlap === undefined ? this.#onOverlap : overlapPolicy(options.onOverlap, 'start() onOverlap')
    const waits = name === undefined ? NO_WAITS : applyOverlap(name, policy, this.#registry.named(name))
    // The options carry the name and label, checked above.
    const entry = new InFlightEntry(ident, spec, kind, options, timeoutMs, options.signal)
    if (waits.length > 0) this.#overlapWaits.set(entry, waits)
    this.#registry.add(entry)
    return entry
  }

  /** Resolves when the older jobs of its name that it must wait for have ended; rejects if it is cancelled first; undefined when it need not wait. */
  admitted(entry: InFlightEntry): Promise<void> | undefined {
    return waitUnlessAborted(this.#overlapWaits.get(entry) ?? NO_WAITS, entry.token)
  }

  running(entry: InFlightEntry, job: SupervisedJob): void {
    entry.running(job)
    this.#log.started(entry, job.execution.pid, job.execution.kind)
  }

  /** A job's result is known; the promise resolves once every open results() stream has taken it (undefined: none waits). */
  ended(entry: InFlightEntry, result: JobResult, ran: boolean): Promise<void> | undefined {
    this.#registry.remove(entry)
    this.#stats.record(result, ran)
    this.#log.ended(entry, result)
    return this.#results.deliver(result)
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

  cancel(target: string | JobHandle, reason: unknown): number {
    if (typeof target === 'string') {
      const entries = this.#registry.find(target)
      for (const entry of entries) entry.cancel(reason)
      return entries.length
    }
    if (typeof target !== 'object' || target === null || typeof target.cancel !== 'function') {
      throw new TypeError(`cancel() takes a job's name, its ident or its handle, got ${describe(target)}`)
    }
    const entry = RunningJobHandle.entryOf(target)
    target.cancel(reason)
    return entry !== undefined && this.#registry.has(entry) ? 1 : 0
  }

  cancelAll(reason: unknown): number {
    const entries = this.#registry.entries
    for (const entry of entries) entry.cancel(reason)
    return entries.length
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

function overlapPolicy(value: unknown, what: string): OverlapPolicy {
  if (!OVERLAP_POLICIES.includes(value as OverlapPolicy)) {
    throw new TypeError(`${what} must be one of ${OVERLAP_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${describe(value)}`)
  }
  return value as OverlapPolicy
}
