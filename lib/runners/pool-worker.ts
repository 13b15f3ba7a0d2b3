// One reused worker process of the process pool: it is started once, takes jobs one at a time,
// and ends when the pool retires it, when a job kills it, or when it crashes.

import { fork, type ChildProcess } from 'node:child_process'
import { serializeError } from '../errors.js'
import type { WorkerSpec } from '../job-spec.js'
import { MEASURE_RSS, type PoolMessage, type PoolTask } from '../pool-protocol.js'
import type { SerializedError } from '../types.js'
import type { Execution, Outcome } from './execution.js'
import { settleOnce, type Once } from './settle-once.js'

const RUNTIME = new URL('../pool-worker-runtime.js', import.meta.url)
// A retired process exits as soon as its event loop sees the IPC channel close. One that a job
// left busy (a synchronous loop in a timer) cannot see it: it is killed after this long.
const RETIRE_GRACE_MS = 2_000

/** What the pool hears from a worker process. */
export interface PoolWorkerHooks {
  /** The process is up and listening for jobs. */
  ready(worker: PoolWorker): void
  /** A job ended and the process is free again; `rss` is its resident memory in bytes. */
  free(worker: PoolWorker, rss: number): void
  /** The process is gone; `startError` is set when it never got ready. */
  gone(worker: PoolWorker, startError: SerializedError | null): void
}

interface Assignment {
  id: number
  ident: string
  outcome: Once<Outcome>
  stopping: boolean
}

export class PoolWorker {
  readonly pid: number | null
  /** Jobs this process has been given. */
  tasks = 0
  /** Settles once the process is gone. */
  readonly gone: Promise<void>
  readonly #child: ChildProcess
  readonly #hooks: PoolWorkerHooks
  readonly #setup: string
  #ready = false
  #job: Assignment | undefined
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  #idleTimer: NodeJS.Timeout | undefined
  #retireTimer: NodeJS.Timeout | undefined
  readonly #ended = settleOnce<void>()

  /** `measureRss`: have the process report its resident memory after each job. */
  constructor(spec: WorkerSpec, hooks: PoolWorkerHooks, measureRss: boolean) {
    this.#hooks = hooks
    this.#setup = describeSetup(spec)
    this.gone = this.#ended.promise
    this.#child = fork(RUNTIME, measureRss ? [MEASURE_RSS] : [], {
      execArgv: spec.execArgv,
      cwd: spec.cwd,
      env: spec.env && { ...process.env, ...spec.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Not detached (unlike isolation 'process'): a process in a session of its own gets its own
      // scheduler autogroup on Linux, which doubled the IPC round trip under load here. So a stop
      // reaches the worker process, not what a job started: jobs that start processes belong in
      // isolation 'process'.
    })
    this.pid = this.#child.pid ?? null
    this.#child.on('message', (message: PoolMessage) => this.#message(message))
    // A reply may arrive after 'exit'; the channel's 'disconnect' is the last word.
    this.#child.on('exit', (code, signal) => {
      this.#exit = { code, signal }
      this.#endIfDone()
    })
    this.#child.on('disconnect', () => this.#endIfDone())
    this.#child.on('error', (error: NodeJS.ErrnoException) => {
      // Spawning failed (a bad cwd, no memory): there is no process to wait for.
      if (this.pid === null) this.#end(null, null, { ...serializeError(error), name: 'WorkerStartError', message: `${this.#setup} could not be started: ${error.message}` })
      // Otherwise a send to a process that just died: its 'exit' tells the story.
    })
  }

  /** Hands the process a job. The pool gives a job only to a free process. */
  run(task: PoolTask): Execution {
    clearTimeout(this.#idleTimer)
    this.tasks++
    this.#hold(true)
    const job: Assignment = { id: task.id, ident: task.ident, outcome: settleOnce<Outcome>(), stopping: false }
    this.#job = job
    this.#child.send(task)
    const { pid } = this
    return {
      kind: 'process-pool',
      pid,
      outcome: job.outcome.promise,
      stop(signal) {
        if (pid === null || job.outcome.settled) return
        job.stopping = true
        signalProcess(pid, signal)
      },
    }
  }

  /** Parks a free process: it no longer keeps this process alive, and ends after `idleMs` unused. */
  park(idleMs: number, onIdle: () => void): void {
    this.#hold(false)
    if (idleMs === Infinity) return
    this.#idleTimer = setTimeout(onIdle, idleMs)
    this.#idleTimer.unref()
  }

  /** Asks a free process to exit (it ends when its IPC channel closes), and kills it if it cannot. */
  retire(): void {
    clearTimeout(this.#idleTimer)
    if (this.#retireTimer !== undefined) return
    // Whoever waits for `gone` (close()) must not see this process exit first.
    this.#child.ref()
    this.#child.disconnect()
    this.#retireTimer = setTimeout(() => signalProcess(this.pid!, 'SIGKILL'), RETIRE_GRACE_MS)
  }

  /** An idle process must not keep the manager's process alive; a busy one must, as a fresh process does. */
  #hold(busy: boolean): void {
    if (busy) this.#child.ref()
    else this.#child.unref()
    // Only ever called while the channel is open.
    const channel = this.#child.channel as { ref(): void; unref(): void }
    if (busy) channel.ref()
    else channel.unref()
  }

  #message(message: PoolMessage): void {
    if ('ready' in message) {
      this.#ready = true
      this.#hooks.ready(this)
      return
    }
    const job = this.#job!
    this.#job = undefined
    const { reply } = message
    // A job that was asked to stop may have left things running in the process: it ends.
    if (job.stopping) this.retire()
    else this.#hooks.free(this, message.rss)
    job.outcome.settle({ exitCode: reply.exitCode, signal: null, data: reply.ok ? reply.data : undefined, error: reply.ok ? null : reply.error })
  }

  #endIfDone(): void {
    if (this.#exit === undefined || this.#child.connected) return
    const { code, signal } = this.#exit
    // A process stopped before it got ready died of the stop, not of a bad setup.
    const startError = this.#ready || this.#job?.stopping ? null : { name: 'WorkerStartError', message: `${this.#setup} exited ${how(code, signal)} before it was ready` }
    this.#end(code, signal, startError)
  }

  #end(code: number | null, signal: NodeJS.Signals | null, startError: SerializedError | null): void {
    if (this.#ended.settled) return
    clearTimeout(this.#idleTimer)
    clearTimeout(this.#retireTimer)
    const job = this.#job
    this.#job = undefined
    this.#hooks.gone(this, startError)
    this.#ended.settle()
    if (job === undefined) return
    // A job that was stopped died of the stop, which timedOut / cancelled already say.
    const crash = job.stopping ? null : { name: 'WorkerExitError', message: `the worker process ${this.pid} running job ${JSON.stringify(job.ident)} exited ${how(code, signal)}; the pool replaces it` }
    job.outcome.settle({ exitCode: code, signal, error: startError ?? crash })
  }
}

/** Sends `signal` to one process; one that is gone already is not an error. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // ESRCH: it has exited in the meantime.
  }
}

function how(code: number | null, signal: NodeJS.Signals | null): string {
  return signal === null ? `with code ${code}` : `by ${signal}`
}

function describeSetup(spec: WorkerSpec): string {
  const parts = [`execArgv ${JSON.stringify(spec.execArgv)}`]
  if (spec.cwd !== undefined) parts.push(`cwd ${JSON.stringify(spec.cwd)}`)
  return `a pool worker process (${parts.join(', ')})`
}
