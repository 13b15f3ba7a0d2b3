// The public shapes of forkpool: what a job is, how it is started, and what comes back.

/** Where a worker file runs. */
export type Isolation = 'process' | 'process-pool' | 'thread'

/** How a job actually ran: a worker job's isolation, `'command'`, or `'inline'` (maxProcs 0). */
export type JobKind = Isolation | 'command' | 'inline'

/**
 * A signal's name, as Node reports it (`'SIGTERM'`, `'SIGKILL'`, …): the names of @types/node's
 * `NodeJS.Signals`, spelled out so that forkpool's types do not need @types/node.
 */
export type SignalName =
  | 'SIGABRT' | 'SIGALRM' | 'SIGBUS' | 'SIGCHLD' | 'SIGCONT' | 'SIGFPE' | 'SIGHUP' | 'SIGILL' | 'SIGINT' | 'SIGIO'
  | 'SIGIOT' | 'SIGKILL' | 'SIGPIPE' | 'SIGPOLL' | 'SIGPROF' | 'SIGPWR' | 'SIGQUIT' | 'SIGSEGV' | 'SIGSTKFLT' | 'SIGSTOP'
  | 'SIGSYS' | 'SIGTERM' | 'SIGTRAP' | 'SIGTSTP' | 'SIGTTIN' | 'SIGTTOU' | 'SIGUNUSED' | 'SIGURG' | 'SIGUSR1' | 'SIGUSR2'
  | 'SIGVTALRM' | 'SIGWINCH' | 'SIGXCPU' | 'SIGXFSZ' | 'SIGBREAK' | 'SIGLOST' | 'SIGINFO'

/** A duration: milliseconds as a number, or a string with units such as `'500ms'`, `'5s'`, `'1m30s'`. */
export type Duration = number | string

/** Run a program, without a shell unless `shell: true`. */
export interface CommandJob {
  /** The program, looked up on PATH (or, with `shell`, the command line). */
  command: string
  /** Its arguments, each passed as it is (no shell). */
  args?: readonly string[]
  /** Its working directory. Default: this process's. */
  cwd?: string
  /** Extra environment variables, merged over this process's; `undefined` removes one. */
  env?: Record<string, string | undefined>
  /** Written to the program's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array
  /** Collect stdout and stderr into the JobResult. Without it they go to this process's stdout and stderr. */
  capture?: boolean
  /** With capture: the most bytes kept per stream (default 32 MiB). Past it the job is stopped and fails with a MaxBufferError. */
  maxBuffer?: number
  /** Run `command` through `/bin/sh -c`. Off by default: arguments then pass through untouched. */
  shell?: boolean
  /**
   * With capture: how the output bytes become the result's strings. Default 'utf8'. 'latin1' keeps
   * every byte as one character, so `Buffer.from(result.stdout, 'latin1')` gives back exactly the bytes written.
   */
  encoding?: 'utf8' | 'latin1'
}

/** Run a worker file: its default export is called as `(data, ctx)`. */
export interface WorkerJob {
  /** A path (relative to the current directory), an absolute path, or a `file:` URL. */
  worker: string | URL
  /** Passed to the worker function as its first argument; must survive a structured clone. */
  data?: unknown
  /**
   * `'process'` (default): a fresh Node child per job. `'process-pool'`: a reused Node child from the
   * manager's process pool (see ForkManagerOptions.processPool). `'thread'`: a worker thread from the pool.
   */
  isolation?: Isolation
  /**
   * Node flags for the child process (`isolation: 'process'` or `'process-pool'`). Default: this process's
   * `execArgv` when the worker file is TypeScript (so the loader you run under loads it too),
   * and none for JavaScript files, which then start without paying for any loader.
   */
  execArgv?: readonly string[]
  /**
   * For `isolation: 'thread'`: the thread's heap and stack limits (worker_threads' resourceLimits).
   * A job that runs past them fails with error code ERR_WORKER_OUT_OF_MEMORY; the thread is replaced.
   * For processes, use execArgv: ['--max-old-space-size=MB'].
   */
  resourceLimits?: ThreadResourceLimits
  /** Processes only: the child's working directory (a thread shares this process's; giving it for a thread is a TypeError). */
  cwd?: string
  /** Processes only: extra environment variables, merged over this process's; `undefined` removes one. */
  env?: Record<string, string | undefined>
}

/** A worker thread's limits, as worker_threads' `resourceLimits` (megabytes). */
export interface ThreadResourceLimits {
  /** The main heap's largest size. */
  maxOldGenerationSizeMb?: number
  /** The young generation's largest size. */
  maxYoungGenerationSizeMb?: number
  /** The size of the memory range for generated code. */
  codeRangeSizeMb?: number
  /** The thread's stack size. */
  stackSizeMb?: number
}

/** A job: a command or a worker file. */
export type JobSpec = CommandJob | WorkerJob

/** Per-job control, the third argument of `start`. */
export interface StartOptions {
  /** Overrides the manager's timeout for this job. `Infinity` disables it. */
  timeout?: Duration
  /** Time between SIGTERM and SIGKILL when this job is stopped. */
  killGrace?: Duration
  /** Aborting it cancels the job: removed if still waiting for a slot, stopped if running. */
  signal?: AbortSignal
  /** Makes a named job: `onOverlap` decides what happens while another job of this name is in flight. */
  name?: string
  /** What a start of `name` does while an older job of that name is in flight. Default: the manager's, `'cancel-old'`. */
  onOverlap?: OverlapPolicy
  /** Free text shown with the job in `inFlight()`, the status page and log lines. */
  label?: string
  /**
   * Run a failing job again (not one that was cancelled): `count` more tries at most, each after
   * its backoff. A number is `{ count }` with no wait. The result is the last try's, with `attempts`.
   */
  retries?: number | RetryOptions
}

/** How `start`'s `retries` runs a failing job again. */
export interface RetryOptions {
  /** Tries after the first one, at most. */
  count: number
  /** The wait before each retry: a duration (fixed), or a BackoffOptions. Default: none. */
  backoff?: Duration | BackoffOptions
}

/** The wait before each retry. */
export interface BackoffOptions {
  /** 'fixed': `delay` before every retry; 'exponential' (default): `delay`, then twice that, and so on. */
  type?: 'fixed' | 'exponential'
  /** The first wait. */
  delay: Duration
  /** The longest wait. Default: no limit. */
  max?: Duration
  /** Wait a random time between half the computed wait and all of it, so jobs failing together do not retry together. Default false. */
  jitter?: boolean
}

/**
 * - `'cancel-old'`: the older jobs are cancelled (reason `'overlap'`); the new one starts once they have ended.
 * - `'reject-new'`: the new start rejects with an OverlapError.
 * - `'queue'`: the new one waits until the older ones have ended.
 * - `'allow'`: the new one runs alongside them.
 */
export type OverlapPolicy = 'cancel-old' | 'reject-new' | 'queue' | 'allow'

/** A job's error, as plain data (it crossed a process or thread boundary). */
export interface SerializedError {
  /** The error's name: `'TypeError'`, `'WorkerExitError'`, … */
  name: string
  /** Its message. */
  message: string
  /** Its stack, when it had one (forkpool's own errors in results have none). */
  stack?: string
  /** Its code, when it had a string one: `'ENOENT'`, `'ERR_FORKPOOL_WORKER_EXIT'`, … */
  code?: string
  /**
   * Its `cause`, when it had one: an Error's as a SerializedError in turn (8 causes deep at most),
   * any other value as a structured clone of it (a value that cannot be cloned: described in a string).
   */
  cause?: unknown
}

/**
 * What every job settles with, exactly once. `T`: the type of `data`, as given to `start<T>()`
 * (unknown by default); `data` is undefined when the job failed before returning, and for commands.
 */
export interface JobResult<T = unknown> {
  /** The ident given to `start`. */
  ident: string
  /** How the job ran. */
  kind: JobKind
  /**
   * True when the job ran to its end and succeeded: exit code 0, no error, neither timed out nor
   * cancelled. The one definition that stats, the log, map() and the forkpool command use.
   */
  ok: boolean
  /** The child process's pid; null for thread jobs and for jobs that never started. Inline jobs report this process's pid. */
  pid: number | null
  /** The worker thread's id for thread jobs, null otherwise. */
  threadId: number | null
  /** The exit code; null when a signal ended the job or it never ran (see `error`). */
  exitCode: number | null
  /** The signal that ended the job, or null. */
  signal: SignalName | null
  /**
   * True when the ending signal is one whose default action dumps core (SIGSEGV, SIGABRT, …).
   * Node does not report the WCOREDUMP bit, so whether a core file was written depends on `ulimit -c`.
   */
  coreDump: boolean
  /**
   * What the worker function returned (or passed to `finish`); undefined for commands and for a worker function that threw or was
   * killed.
   */
  data: T | undefined
  /** Why the job failed, when it failed for a reason other than its exit code. */
  error: SerializedError | null
  /** True when its timeout stopped the job. */
  timedOut: boolean
  /** True when a cancel (a handle, an AbortSignal, a name, shutdown, an overlap) stopped or removed the job. */
  cancelled: boolean
  /** The reason given to `cancel` / the AbortSignal, when cancelled. */
  cancelReason?: unknown
  /** Epoch milliseconds at which the job started (or was given up, when it never started). */
  startedAt: number
  /** Wall time from its start to its end, in milliseconds. */
  durationMs: number
  /**
   * How many times the job ran: 1, or more with `retries` (remotely, a re-run after a lost agent counts too); 0 when it never started.
   * `startedAt` and `durationMs` are the last run's.
   */
  attempts: number
  /** The machine that ran it (its last run): this one's `os.hostname()`, or a remote agent's name. */
  host: string
  /** The queue's id of a remote job; null for a job run on this machine. */
  jobId: string | null
  /** A command's stdout, with `capture: true`. */
  stdout?: string
  /** A command's stderr, with `capture: true`. */
  stderr?: string
}

/** What `runOnStart` callbacks receive. */
export interface JobStartInfo {
  /** The ident given to `start`. */
  ident: string
  /** How the job runs. */
  kind: JobKind
  /** The child's pid; null for thread jobs (inline jobs: this process's). */
  pid: number | null
  /** Epoch milliseconds at which it started. */
  startedAt: number
  /**
   * The machine it runs on: this one's `os.hostname()`, or a remote agent's name. runOnStart always
   * has it; the handle of a remote job has null (and pid null): start() resolves once the queue has
   * the job, before an agent takes it, and runOnStart fires when one does.
   */
  host: string | null
}

/** What `start` resolves with, once the job is running. `T`: the type of its result's `data`. */
export interface JobHandle<T = unknown> extends JobStartInfo {
  /** Settles with the job's JobResult; never rejects. */
  readonly result: Promise<JobResult<T>>
  /** Stops the job (TERM, then KILL after the grace period). Its result gets `cancelled: true`. */
  cancel(reason?: unknown): void
}

/** The worker function's second argument. */
export interface WorkerContext {
  /** The job's ident, as given to `start`. */
  ident: string
  /** Fires when the job is timed out or cancelled: stop work and return (or throw) soon. */
  signal: AbortSignal
  /**
   * Which run of the job this is, from 1: a retry (start option `retries`) or, remotely, a re-run
   * after its agent was lost counts up. With `jobId`, a key for a job that must not act twice.
   */
  attempt: number
  /** The queue's id of a remote job (same across its runs); null for a job run on this machine. */
  jobId: string | null
}

/** The shape of a worker file's default export. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- so that a function of any data type fits (unknown would not)
export type WorkerFunction<In = any, Out = unknown> = (data: In, ctx: WorkerContext) => Out | Promise<Out>
