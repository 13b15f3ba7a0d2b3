// One running job under supervision: its timeout, its stop (TERM, then KILL after the grace
// period) and the JobResult it settles with.

import type { Deadline, Deadlines } from '../util/deadlines.js'
import { setLongTimeout } from '../util/long-timeout.js'
import type { Execution, Outcome } from '../runners/execution.js'
import { dumpsCore } from '../runners/kill-tree.js'
import type { JobKind, JobResult } from '../types.js'

export type StopCause = { timedOut: true } | { cancelled: true; reason: unknown }

export class SupervisedJob {
  readonly ident: string
  readonly execution: Execution
  readonly startedAt = Date.now()
  readonly #startedMs = performance.now()
  #cause: StopCause | undefined
  #cancelKill: (() => void) | undefined
  readonly #timeout: Deadline
  readonly #killGraceMs: number

  /** `deadlines`: the manager's, where the job's timeout is set. */
  constructor(ident: string, execution: Execution, timeoutMs: number, killGraceMs: number, deadlines: Deadlines) {
    this.ident = ident
    this.execution = execution
    this.#killGraceMs = killGraceMs
    this.#timeout = deadlines.after(timeoutMs, () => this.stop({ timedOut: true }))
  }

  /**
   * The job's execution has its outcome (the manager calls it from `execution.outcome.then`, so
   * that a job costs one promise reaction, not a chain of them): its timers stop, and its JobResult.
   */
  ended(outcome: Outcome): JobResult {
    this.#timeout.cancel()
    this.#cancelKill?.()
    return jobResult(this.ident, this.execution, outcome, this.startedAt, performance.now() - this.#startedMs, this.#cause)
  }

  /** True once a timeout or a cancel has asked the job to stop. */
  get stopping(): boolean {
    return this.#cause !== undefined
  }

  /** Stops the job: `signal` (SIGTERM) now, SIGKILL after the grace period. The first cause wins. */
  stop(cause: StopCause, signal: NodeJS.Signals = 'SIGTERM', graceMs = this.#killGraceMs): void {
    if (this.#cause !== undefined) return
    this.#cause = cause
    this.#timeout.cancel()
    this.#cancelKill = setLongTimeout(() => this.execution.stop('SIGKILL'), graceMs)
    this.execution.stop(signal)
  }
}

function jobResult(ident: string, execution: Execution, outcome: Outcome, startedAt: number, durationMs: number, cause: StopCause | undefined): JobResult {
  const result: JobResult = {
    ident,
    kind: execution.kind,
    pid: execution.pid,
    threadId: outcome.threadId ?? null,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    coreDump: dumpsCore(outcome.signal),
    data: outcome.data,
    error: outcome.error,
    timedOut: cause !== undefined && 'timedOut' in cause,
    cancelled: cause !== undefined && 'cancelled' in cause,
    startedAt,
    durationMs,
  }
  if (cause !== undefined && 'cancelled' in cause) result.cancelReason = cause.reason
  if (outcome.stdout !== undefined) result.stdout = outcome.stdout
  if (outcome.stderr !== undefined) result.stderr = outcome.stderr
  return result
}

/** The result of a job that was cancelled before it got a slot. */
export function cancelledBeforeStart(ident: string, kind: JobKind, reason: unknown): JobResult {
  return {
    ident,
    kind,
    pid: null,
    threadId: null,
    exitCode: null,
    signal: null,
    coreDump: false,
    data: undefined,
    error: null,
    timedOut: false,
    cancelled: true,
    cancelReason: reason,
    startedAt: Date.now(),
    durationMs: 0,
  }
}
