// The contract between the manager and a runner: one started job, and how to stop it.

import type { JobKind, SerializedError } from '../types.js'

/** How a job ended, as its runner saw it. The manager adds ident, timing and why it was stopped. */
export interface Outcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  data?: unknown
  error: SerializedError | null
  threadId?: number | null
  stdout?: string
  stderr?: string
}


/** A job that a runner has started. */
export interface Execution {
  readonly kind: JobKind
  /** The child's pid; null for threads, and for a child that could not be spawned. */
  readonly pid: number | null
  /** Settles once, when the job has ended; never rejects. */
  readonly outcome: Promise<Outcome>
  /** The worker thread running it, once known (thread jobs); absent or null otherwise. */
  readonly threadId?: number | null
  /** How many jobs the worker running it has run, this one included; absent means 1. */
  readonly uses?: number
  /**
   * Any signal but SIGKILL asks the job to stop: a command's process group gets that signal, a
   * worker sees `ctx.signal` fire (or dies at once when it does not listen). SIGKILL ends it without asking.
   */
  stop(signal: NodeJS.Signals): void
  /** A held thread job (thread/hold.ts) not yet begun is taken back: it never runs, and true; false once it has begun. */
  withdraw?(): boolean
}

/** A job that could not be started: it has already ended, with `error`. */
export function failedExecution(kind: JobKind, error: SerializedError): Execution {
  return { kind, pid: null, outcome: Promise.resolve({ exitCode: null, signal: null, error }), stop() {} }
}
