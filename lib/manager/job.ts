// One job, from its start() call to its JobResult: the manager makes one per start() and passes
// it, and nothing else, through admission, launch and supervision. It is what the registry lists
// (control/registry.ts, TrackedJob), what a cancel or its timeout stops (TERM, then KILL after
// the grace period), and what its handle shows the user (JobView).

import { whereOf, type TrackedJob } from '../control/registry.js'
import type { Execution, Outcome } from '../runners/execution.js'
import type { NormalizedJob } from '../runners/spec.js'
import type { JobHandle, JobKind, JobResult } from '../types.js'
import { CancelToken } from '../util/cancel-token.js'
import type { Deadline, Deadlines } from '../util/deadlines.js'
import { setLongTimeout } from '../util/long-timeout.js'
import { jobResult, unstartedResult, type StopCause } from './job-result.js'
import type { RetrySettings, StartSettings } from './options.js'

const noop = (): void => {}
const TIMED_OUT: StopCause = { timedOut: true }

/** What start() decided for a job besides its spec (StartSettings has it); `signal`: aborting it cancels the job. */
export type JobSettings = Pick<StartSettings, 'name' | 'label' | 'timeoutMs' | 'killGraceMs' | 'signal' | 'retry'>

export class Job implements TrackedJob {
  readonly ident: string
  readonly name: string | null
  readonly label: string | null
  readonly spec: NormalizedJob
  readonly kind: JobKind
  readonly queuedAt = Date.now()
  /** Aborted by every way of cancelling the job: while it waits for a slot, the wait gives up. */
  readonly token = new CancelToken()
  readonly timeoutMs: number
  readonly killGraceMs: number
  /** start()'s retries; undefined: one try. */
  readonly retry: RetrySettings | undefined
  /** Runs so far, this one included. */
  attempts = 0
  execution: Execution | undefined
  startedAt: number | undefined
  /** Its places in the registry and among the scheduler's running jobs (util/indexed-list.ts); -1: not there. */
  registryIndex = -1
  runningIndex = -1
  #startedMs = 0
  #where: string | undefined
  #cause: StopCause | undefined
  #timeout: Deadline | undefined
  /** The execution whose outcome is in (see #deadlinePassed). */
  #settledExecution: Execution | undefined
  #deadlines: Deadlines | undefined
  #cancelKill: (() => void) | undefined
  /** Made when an overlapping start first asks for it (see `ended`). */
  #ended: Promise<void> | undefined
  #end = noop
  #done = false
  #unlink = noop

  constructor(ident: string, spec: NormalizedJob, kind: JobKind, settings: JobSettings) {
    this.ident = ident
    this.spec = spec
    this.kind = kind
    this.name = settings.name ?? null
    this.label = settings.label ?? null
    this.timeoutMs = settings.timeoutMs
    this.killGraceMs = settings.killGraceMs
    this.retry = settings.retry
    const { signal } = settings
    if (signal !== undefined) {
      const follow = (): void => this.cancel(signal.reason)
      if (signal.aborted) follow()
      else {
        signal.addEventListener('abort', follow, { once: true })
        this.#unlink = () => signal.removeEventListener('abort', follow)
      }
    }
  }

  /** The command line or the worker file, worked out when first asked for (most jobs never are). */
  get where(): string {
    return (this.#where ??= whereOf(this.spec))
  }

  /** Resolves once the job's result is known. */
  get ended(): Promise<void> {
    this.#ended ??= this.#done ? Promise.resolve() : new Promise((resolve) => (this.#end = resolve))
    return this.#ended
  }

  /** True once a timeout or a cancel has asked the running job to stop. */
  get stopping(): boolean {
    return this.#cause !== undefined
  }

  /**
   * The one way to stop a job from outside: removed if still waiting for its slot, stopped if
   * running (`signal`, SIGTERM by default, then SIGKILL after `graceMs`), nothing once its result
   * is known. The first reason wins.
   */
  cancel(reason: unknown, signal?: NodeJS.Signals, graceMs?: number): void {
    this.token.abort(reason)
    if (this.execution !== undefined && !this.#done) this.#stop({ cancelled: true, reason: this.token.reason }, signal, graceMs)
  }

  /**
   * A runner has the job, running since `startedAt` (its timeout runs from then; null: it starts
   * elsewhere later, and `began` says when), and a cancel that came while it was being launched stops it at once.
   */
  launched(execution: Execution, deadlines: Deadlines, startedAt: number | null): void {
    this.execution = execution
    this.attempts++
    this.#deadlines = deadlines
    if (startedAt !== null) this.began(startedAt)
    if (this.token.aborted) this.#stop({ cancelled: true, reason: this.token.reason })
  }

  /** It runs, from `startedAt` (epoch ms): its timeout runs from now, later by the slack of a runner that enforces it itself. */
  began(startedAt: number): void {
    this.startedAt = startedAt
    this.#startedMs = performance.now()
    if (this.#cause !== undefined) return
    const slack = this.execution!.elsewhere?.timeoutSlackMs ?? 0
    this.#timeout = this.#deadlines!.after(this.timeoutMs + slack, () => this.#deadlinePassed())
  }

  /**
   * The job's time is up, as far as this turn of the event loop knows. Node runs due timers
   * before the turn's I/O: after a late turn (the event loop blocked, or this process not
   * scheduled, past the deadline), the exit of a job that ended in time may be waiting to be read,
   * and stopping it now would report it timed out (and SIGTERM what is left of it). setImmediate
   * runs after that I/O: a job whose outcome came meanwhile ended before its deadline.
   */
  #deadlinePassed(): void {
    const execution = this.execution
    setImmediate(() => {
      if (this.#settledExecution !== execution && this.execution === execution) this.#stop(TIMED_OUT)
    })
  }

  /**
   * The runner's outcome is in (the manager calls it from `execution.outcome.then`, so that a job
   * costs one promise reaction, not a chain of them): its timers stop, and its JobResult.
   */
  settled(outcome: Outcome): JobResult {
    this.#settledExecution = this.execution
    this.#timeout?.cancel()
    this.#cancelKill?.()
    const { kind, pid } = this.execution!
    // A remote job re-run after its agent was lost ran more than once in this one try, and one
    // taken off the queue before an agent took it never ran (runs 0, no start).
    if (outcome.runs !== undefined) this.attempts += outcome.runs - 1
    // One object literal, not a spread of shared facts: see bench/README.md, "Hot-path code".
    const { ident, attempts } = this
    if (this.startedAt === undefined) {
      return jobResult({ ident, kind, pid, startedAt: Date.now(), durationMs: 0, outcome, cause: this.#cause, attempts })
    }
    // A runner that enforced the timeout itself says so; otherwise the manager knows why it stopped.
    const cause = this.#cause ?? (outcome.timedOut === true ? TIMED_OUT : undefined)
    const durationMs = performance.now() - this.#startedMs
    return jobResult({ ident, kind, pid, startedAt: this.startedAt, durationMs, outcome, cause, attempts })
  }

  /** True when `result` (this job's, just settled) failed and a retry is left: not for a cancelled job. */
  retries(result: JobResult): boolean {
    return this.retry !== undefined && !result.ok && !result.cancelled && !this.token.aborted && this.attempts <= this.retry.count
  }

  /** Between tries: nothing runs, so a cancel now only aborts the token, and the next try starts afresh. */
  retrying(): void {
    this.execution = undefined
    this.#cause = undefined
    this.#cancelKill = undefined
  }

  /** It never ran: cancelled (with `reason`) before it got its slot. */
  unstarted(reason: unknown): JobResult {
    const result = unstartedResult(this.ident, this.kind, { cancelled: true, reason })
    this.startedAt = result.startedAt
    return result
  }

  /** Its result is known (the registry lets it go): nothing stops it any more, and jobs waiting for its end go on. */
  end(): void {
    this.#done = true
    this.#unlink()
    this.#end()
  }

  #stop(cause: StopCause, signal: NodeJS.Signals = 'SIGTERM', graceMs = this.killGraceMs): void {
    if (this.#cause !== undefined) return
    this.#cause = cause
    this.#timeout?.cancel()
    const execution = this.execution!
    this.#cancelKill = setLongTimeout(() => execution.stop('SIGKILL'), graceMs)
    execution.stop(signal)
  }
}

/**
 * The handle start() resolves with: a view of its Job. A class, so that cancel(handle) finds the
 * job in the handle itself; no per-job WeakMap, which would keep finished jobs alive through
 * young-generation collections (bench `process-noop`: a fifth more manager CPU per job).
 */
export class JobView implements JobHandle {
  readonly ident: string
  readonly kind: JobKind
  readonly pid: number | null
  /** For a remote job: when the queue took it (runOnStart has the agent's start). */
  readonly startedAt: number
  readonly result: Promise<JobResult>
  /** This machine's hostname; null for a remote job (see JobStartInfo.host) and for one that never started. */
  readonly host: string | null
  /** An own property: `handle.cancel` may be passed around unbound. */
  readonly cancel: (reason?: unknown) => void
  readonly #job: Job

  /** `job` has started (or was given up): its pid, kind and start time are known; `host`, where it runs. */
  constructor(job: Job, result: Promise<JobResult>, host: string | null) {
    this.ident = job.ident
    this.kind = job.execution?.kind ?? job.kind
    this.pid = job.execution?.pid ?? null
    this.startedAt = job.startedAt ?? Date.now()
    this.result = result
    this.host = host
    this.cancel = (reason?: unknown) => job.cancel(reason ?? 'cancelled')
    this.#job = job
  }

  /** The job behind `handle`; undefined for a handle this class did not make. */
  static jobOf(handle: JobHandle): Job | undefined {
    return #job in handle ? handle.#job : undefined
  }
}
