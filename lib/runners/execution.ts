// The contract between the manager and a runner: one started job, and how to stop it.

import type { JobKind, JobResult, SerializedError, SignalName } from '../types.js'

/** How a job ended, as its runner saw it. The manager adds ident, timing and why it was stopped. */
export interface Outcome {
  exitCode: number | null
  signal: SignalName | null
  data?: unknown
  error: SerializedError | null
  /** What only this runner knows of the JobResult, copied onto it as given (see OutcomeDetails). */
  details?: OutcomeDetails | undefined
  /**
   * How many times the runner ran it; absent: 1. The manager counts each run in JobResult.attempts:
   * a remote job re-run after its agent was lost ran more than once in one try; one taken off its
   * queue before it started, 0 times.
   */
  runs?: number
  /**
   * True when the runner itself stopped it at its timeout (a remote agent, from the job's start
   * there): the manager then reports it timed out, as when its own deadline stopped it.
   */
  timedOut?: boolean
}

/**
 * JobResult fields a runner owns: a command's captured stdout and stderr, a thread's id, a remote
 * job's host, pid, thread and queue id (its pid there, known only once an agent ran it). Absent,
 * the result has the manager's: the Execution's pid, no thread, this host, no queue id.
 */
export type OutcomeDetails = Partial<Pick<JobResult, 'stdout' | 'stderr' | 'threadId' | 'host' | 'pid' | 'jobId'>>

/** The limits a runner that enforces them itself (a remote agent) needs: the job's timeout and kill grace. */
export interface StopLimits {
  readonly timeoutMs: number
  readonly killGraceMs: number
}

/**
 * A job that a runner has been given, returned by the runner at once: the one way a job starts,
 * whether it runs from that call or starts later, here or on another machine.
 */
export interface Execution {
  readonly kind: JobKind
  /** The child's pid (once `started` has settled, where there is one); null for threads, and for a child that could not be spawned. */
  readonly pid: number | null
  /** Settles once, when the job has ended; never rejects. */
  readonly outcome: Promise<Outcome>
  /**
   * For a job whose start comes later than the call that gave it to the runner (a spawner's
   * report, a remote agent's): settles with the epoch ms at which it started, or null when it ended
   * without starting, and always before `outcome`. The manager's runOnStart and timeout wait for
   * it. Absent: the job started in that call.
   */
  readonly started?: Promise<number | null>
  /** Set for a job sent to another machine (a backend's): what the manager does differently for it. */
  readonly elsewhere?: Elsewhere
  /** The worker thread running it (thread jobs), for inFlight() and ps only; absent or null otherwise. */
  readonly threadId?: number | null
  /** How many jobs the worker running it has run, this one included, for inFlight() only; absent means 1. */
  readonly uses?: number
  /**
   * Any signal but SIGKILL asks the job to stop: a command's process group gets that signal, a
   * worker function sees `ctx.signal` fire (or dies at once when it does not listen). SIGKILL ends it without asking.
   */
  stop(signal: SignalName): void
}

/** A job run on another machine, as the manager needs to see it (lib/remote/remote-run.ts is the one). */
export interface Elsewhere {
  /**
   * Settles once the sending is over: the other side holds the job (a queue: start() resolves then,
   * before a machine there takes it), or it could not be sent (its outcome then says why). Never
   * rejects. The one promise of a launch that is neither the job's start nor its end: a queue's
   * add takes a trip to it, and a machine there may take the job much later.
   */
  readonly sent: Promise<void>
  /** The machine running it: its name once `started` has settled with a time; null before. */
  readonly host: string | null
  /**
   * The machine there enforces the job's timeout (from the job's start there): the manager's own
   * deadline is this much later, a bound only for a runner gone silent.
   */
  readonly timeoutSlackMs: number
}

/** A job that could not be started: it has already ended, with `error` (and `exitCode`, null unless given). */
export function failedExecution(kind: JobKind, error: SerializedError, exitCode: number | null = null): Execution {
  return { kind, pid: null, outcome: Promise.resolve({ exitCode, signal: null, error }), stop() {} }
}
