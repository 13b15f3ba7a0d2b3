// The contract between the manager and a runner: one started job, and how to stop it.

import type { JobKind, SerializedError, SignalName } from '../types.js'

/** How a job ended, as its runner saw it. The manager adds ident, timing and why it was stopped. */
export interface Outcome {
  exitCode: number | null
  signal: SignalName | null
  data?: unknown
  error: SerializedError | null
  threadId?: number | null
  stdout?: string
  stderr?: string
  /** Where it ran, when not on this machine (a remote backend's agent name). */
  host?: string
  /** Its pid there, when it differs from the Execution's (a remote job's, known only once an agent ran it). */
  pid?: number | null
  /** The queue's id of a remote job. */
  jobId?: string
  /** How many times the runner ran it: a remote job re-run after its agent was lost counts each run. Absent: 1. */
  runs?: number
  /** True when the runner itself stopped it at its timeout (a remote agent does, from the job's start there). */
  timedOut?: boolean
}

/** The limits a runner that enforces them itself (a remote agent) needs: the job's timeout and kill grace. */
export interface StopLimits {
  readonly timeoutMs: number
  readonly killGraceMs: number
}

/**
 * A job that a runner has been given, returned by the runner at once: the one way a job starts,
 * whether it runs from that call or starts later.
 */
export interface Execution {
  readonly kind: JobKind
  /** The child's pid (once `started` has settled, where there is one); null for threads, and for a child that could not be spawned. */
  readonly pid: number | null
  /** Settles once, when the job has ended; never rejects. */
  readonly outcome: Promise<Outcome>
  /** The worker thread running it, once known (thread jobs); absent or null otherwise. */
  readonly threadId?: number | null
  /** How many jobs the worker running it has run, this one included; absent means 1. */
  readonly uses?: number
  /**
   * The machine running it: absent for this one; a remote job's agent name once an agent has
   * started it, null before (it waits in the queue).
   */
  readonly host?: string | null
  /**
   * For a job whose start comes later than the call that gave it to the runner (a spawner's
   * report, a remote agent's): settles with the epoch ms at which it started, or null when it ended
   * without starting, and always before `outcome`. The manager's runOnStart and timeout wait for
   * it. Absent: the job started in that call.
   */
  readonly started?: Promise<number | null>
  /**
   * Set when the runner enforces the job's timeout itself (a remote agent): the manager's own
   * deadline is this much later, a safety bound for a runner that went silent.
   */
  readonly timeoutSlackMs?: number
  /**
   * Any signal but SIGKILL asks the job to stop: a command's process group gets that signal, a
   * worker sees `ctx.signal` fire (or dies at once when it does not listen). SIGKILL ends it without asking.
   */
  stop(signal: SignalName): void
}

/** A job that could not be started: it has already ended, with `error` (and `exitCode`, null unless given). */
export function failedExecution(kind: JobKind, error: SerializedError, exitCode: number | null = null): Execution {
  return { kind, pid: null, outcome: Promise.resolve({ exitCode, signal: null, error }), stop() {} }
}
