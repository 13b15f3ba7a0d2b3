// The one place a JobResult is made, and with it the one definition of a job that went well
// (`ok`), which stats, the log, map() and the forkpool command all read.

import type { Outcome } from '../runners/execution.js'
import { dumpsCore } from '../runners/kill-tree.js'
import type { JobKind, JobResult, SerializedError } from '../types.js'
import { thisHost } from '../util/host.js'

/** Why a job was stopped: its timeout, or a cancel with its reason. */
export type StopCause = { timedOut: true } | { cancelled: true; reason: unknown }

/** What a JobResult is made of: what the manager knows of a job, its runner's outcome, and why it was stopped. */
export interface JobFacts {
  ident: string
  kind: JobKind
  pid: number | null
  /** Epoch ms at which it started, or was given up. */
  startedAt: number
  durationMs: number
  /** What the runner reports (which names the host, pid and runs of a job run elsewhere). */
  outcome: Outcome
  cause: StopCause | undefined
  /** Runs of the job, this one included. */
  attempts: number
}

/** A job's result, from its facts. */
export function jobResult({ ident, kind, pid, startedAt, durationMs, outcome, cause, attempts }: JobFacts): JobResult {
  const { exitCode, signal, error } = outcome
  const cancelled = cause !== undefined && 'cancelled' in cause
  const result: JobResult = {
    ident,
    kind,
    // Ran to its end: exit code 0, no error, and neither its timeout nor a cancel stopped it
    // (a worker function that returns once ctx.signal fires exits with 0 all the same).
    ok: exitCode === 0 && error === null && cause === undefined,
    pid,
    threadId: null,
    exitCode,
    signal,
    coreDump: dumpsCore(signal),
    data: outcome.data,
    error,
    timedOut: cause !== undefined && !cancelled,
    cancelled,
    startedAt,
    durationMs: roundMs(durationMs),
    attempts,
    host: thisHost,
    jobId: null,
  }
  if (cancelled) result.cancelReason = cause.reason
  // The fields its runner owns (a command's output, a thread's id, a remote job's place) replace
  // the defaults above in place: a result's keys keep one order.
  if (outcome.details !== undefined) Object.assign(result, outcome.details)
  return result
}

/** A job that never ran: cancelled before it got a slot (`cause`), or refused before it reached a runner (`error`). */
export function unstartedResult(
  ident: string, kind: JobKind, cause: StopCause | undefined, error: SerializedError | null = null
): JobResult {
  return jobResult({
    ident, kind, pid: null, startedAt: Date.now(), durationMs: 0, outcome: { exitCode: null, signal: null, error }, cause, attempts: 0,
  })
}

/**
 * Milliseconds to the microsecond (0.001 ms): performance.now()'s differences carry float noise (1122.7844220000002) finer than any clock
 * here measures.
 */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
