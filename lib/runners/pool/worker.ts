// One reused worker process of the process pool: it is started once, takes jobs (up to the pool's
// concurrentTasksPerWorker at once), and ends when the pool retires it, when a stop kills it, or
// when it crashes. Orders to the process are batched per turn of the event loop (see protocol.ts).

import { fork, type ChildProcess } from 'node:child_process'
import { jobError, serializeError, WorkerExitError, WorkerStartError } from '../../errors.js'
import type { WorkerSpec } from '../spec.js'
import { MEASURE_RSS, type PoolMessage, type PoolOrders } from './protocol.js'
import type { JobKind, SerializedError } from '../../types.js'
import type { Execution, Outcome } from '../execution.js'
import { Once, settleOnce } from '../../util/once.js'
import { JobSlots } from './job-slots.js'
import { childOutput } from '../../util/child-output.cjs'

const RUNTIME = new URL('./runtime.js', import.meta.url)
// A retired process exits as soon as its event loop sees the IPC channel close. One that a job
// left busy (a synchronous loop in a timer) cannot see it: it is killed after this long.
const RETIRE_GRACE_MS = 2_000

/** What the pool hears from a worker process. */
export interface PoolWorkerHooks {
  /** The process is up and listening for jobs. */
  ready(worker: PoolWorker): void
  /** Jobs ended; `rss` is the process's resident memory in bytes (0 when not measured). */
  answered(worker: PoolWorker, rss: number): void
  /** Its last job ended and it takes more: the pool parks it. */
  idle(worker: PoolWorker): void
  /** The process is gone; `startError` is set when it never got ready. */
  gone(worker: PoolWorker, startError: SerializedError | null): void
}

/** A job given to a process: the Execution the manager supervises, and what the pool knows of it. */
class PoolJob extends Once<Outcome> implements Execution {
  /** Its id for the process: its slot in JobSlots, set as it is given to the process. */
  slot = -1
  readonly ident: string
  readonly pid: number | null
  /** How many jobs its process has been given, this one included. */
  readonly uses: number
  stopping = false
  /** The signal of its stop order, when it got one: a process that dies by it died of that stop. */
  stopSignal: NodeJS.Signals | undefined = undefined
  readonly #stop: (job: PoolJob, signal: NodeJS.Signals) => void

  constructor(ident: string, pid: number | null, uses: number, stop: (job: PoolJob, signal: NodeJS.Signals) => void) {
    super()
    this.ident = ident
    this.pid = pid
    this.uses = uses
    this.#stop = stop
  }

  get kind(): JobKind {
    return 'process-pool'
  }

  get outcome(): Promise<Outcome> {
    return this.promise
  }

  stop(signal: NodeJS.Signals): void {
    this.#stop(this, signal)
  }
}

export class PoolWorker {
  readonly pid: number | null
  /** Jobs this process has been given. */
  tasks = 0
  /** When it was last given a job (a count of the pool's jobs): the pool prefers the warmest idle process. */
  lastUsed = 0
  /** Settles once the process is gone. */
  readonly gone: Promise<void>
  readonly #child: ChildProcess
  readonly #hooks: PoolWorkerHooks
  readonly #setup: string
  readonly #jobs = new JobSlots<PoolJob>()
  /** What a job's stop() calls: one function for all the jobs of this process. */
  readonly #stopJob = (job: PoolJob, signal: NodeJS.Signals): void => this.#stop(job, signal)
  /** Orders not yet sent: they go out together at the end of this turn, or once the process is full. */
  #orders: PoolOrders | undefined
  #flushTimer: NodeJS.Immediate | undefined
  #ready = false
  /** Set by retire(): it takes no new job, and goes once its last job has ended. */
  #retiring = false
  /** The job whose stop ended in a SIGKILL of this process, which took any neighbours with it. */
  #killedFor: PoolJob | undefined
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  #idleTimer: NodeJS.Timeout | undefined
  #retireTimer: NodeJS.Timeout | undefined
  readonly #ended = settleOnce<void>()

  /** `measureRss`: have the process report its resident memory with its answers. */
  constructor(spec: WorkerSpec, hooks: PoolWorkerHooks, measureRss: boolean) {
    this.#hooks = hooks
    this.#setup = describeSetup(spec)
    this.gone = this.#ended.promise
    // Its own description of this process's stdout pipe, whose flags no other job shares (util/child-output.cts).
    const output = childOutput()
    this.#child = fork(RUNTIME, measureRss ? [MEASURE_RSS] : [], {
      execArgv: spec.execArgv,
      cwd: spec.cwd,
      env: spec.env && { ...process.env, ...spec.env },
      stdio: ['ignore', output.stdout, output.stderr, 'ipc'],
      serialization: 'advanced',
      // Not detached (unlike isolation 'process'): a process in a session of its own gets its own
      // scheduler autogroup on Linux, which doubled the IPC round trip under load here. So a stop
      // reaches the worker process, not what a job started: jobs that start processes belong in
      // isolation 'process'.
    })
    output.close()
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
      if (this.pid === null) this.#end(null, null, { ...serializeError(error), ...jobError(WorkerStartError, `${this.#setup} could not be started: ${error.message}`) })
      // Otherwise a send to a process that just died: its 'exit' tells the story.
    })
  }

  /** Jobs running in the process now. */
  get load(): number {
    return this.#jobs.size
  }

  /** Whether it takes jobs: not retired, not gone. */
  get accepting(): boolean {
    return !this.#retiring && !this.#ended.settled
  }

  /** Hands the process a job, the pool's `seq`th; the pool gives jobs only to an accepting process with room. `jobId`: a remote job's ctx.jobId. */
  run(seq: number, spec: WorkerSpec, ident: string, attempt: number, jobId?: string): Execution {
    clearTimeout(this.#idleTimer)
    this.tasks++
    this.lastUsed = seq
    if (this.#jobs.size === 0) this.#hold(true)
    const job = new PoolJob(ident, this.pid, this.tasks, this.#stopJob)
    const orders = this.#order()
    job.slot = this.#jobs.add(job)
    const { urls } = orders
    let file = urls.length - 1
    // A batch names each worker file once; it is nearly always the one the last job named.
    if (urls[file] !== spec.url) {
      file = urls.indexOf(spec.url)
      if (file === -1) file = urls.push(spec.url) - 1
    }
    const at = orders.ids.push(job.slot) - 1
    orders.files.push(file)
    orders.idents.push(ident)
    orders.data.push(spec.data)
    if (attempt !== 1) (orders.retried ??= []).push(at, attempt)
    // An agent's pool runs only remote jobs, so a batch has a jobId for every job or for none.
    if (jobId !== undefined) (orders.jobIds ??= []).push(jobId)
    return job
  }

  /** Parks an idle process: it no longer keeps this process alive, and ends after `idleMs` unused. */
  park(idleMs: number): void {
    this.#hold(false)
    if (idleMs === Infinity) return
    this.#idleTimer = setTimeout(() => this.retire(), idleMs)
    this.#idleTimer.unref()
  }

  /** Takes no more jobs and, once its last one has ended, asks the process to exit (it ends when its IPC channel closes); kills it if it cannot. */
  retire(): void {
    this.#retiring = true
    clearTimeout(this.#idleTimer)
    if (this.#jobs.size > 0 || this.#retireTimer !== undefined || this.#ended.settled) return
    // Whoever waits for `gone` (close()) must not see this process exit first.
    this.#child.ref()
    this.#child.disconnect()
    this.#retireTimer = setTimeout(() => this.#child.kill('SIGKILL'), RETIRE_GRACE_MS)
  }

  /**
   * A stop other than SIGKILL is an order: the job's ctx.signal fires (see runtime.ts).
   * SIGKILL ends the process, and with it any job that shares it.
   */
  #stop(job: PoolJob, signal: NodeJS.Signals): void {
    if (job.settled) return
    job.stopping = true
    if (signal !== 'SIGKILL') {
      job.stopSignal ??= signal
      this.#order().stops.push({ id: job.slot, signal })
      return
    }
    this.#killedFor ??= job
    this.#child.kill('SIGKILL')
  }

  /**
   * Sends the orders now: the pool calls it once the process has all the jobs it can take, so
   * that the process works on them while this one deals with the others. (Sent only at the end
   * of the turn, the batches of all processes would go out, and come back, in step.)
   */
  flush(): void {
    // Called with orders waiting: by the pool right after run(), or by the end-of-turn timer,
    // which a flush before it cancels.
    const orders = this.#orders!
    clearImmediate(this.#flushTimer)
    this.#orders = undefined
    // To a process that has just died this is an 'error' event, and its exit settles the jobs.
    this.#child.send(orders)
    this.#jobs.sent()
  }

  #order(): PoolOrders {
    if (this.#orders === undefined) {
      this.#orders = { ids: [], files: [], urls: [], idents: [], data: [], stops: [] }
      this.#flushTimer = setImmediate(() => this.flush())
    }
    return this.#orders
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
    const { ids, exitCodes, data, errors } = message
    for (let i = 0; i < ids.length; i++) {
      const slot = ids[i]!
      const job = this.#jobs.get(slot)!
      this.#jobs.delete(slot, this.#orders !== undefined)
      // A job that was asked to stop may have left things running in the process: it ends.
      if (job.stopping) this.#retiring = true
      job.settle({ exitCode: exitCodes[i]!, signal: null, data: data[i], error: errors[i]! })
    }
    this.#hooks.answered(this, message.rss)
    if (this.#jobs.size > 0) return
    if (this.#retiring) this.retire()
    else this.#hooks.idle(this)
  }

  #endIfDone(): void {
    if (this.#exit === undefined || this.#child.connected) return
    const { code, signal } = this.#exit
    // A process stopped before it got ready died of the stop, not of a bad setup.
    const stopped = this.#jobs.values().some((job) => job.stopping)
    const startError = this.#ready || stopped ? null : jobError(WorkerStartError, `${this.#setup} exited ${how(code, signal)} before it was ready`)
    this.#end(code, signal, startError)
  }

  #end(code: number | null, signal: NodeJS.Signals | null, startError: SerializedError | null): void {
    if (this.#ended.settled) return
    clearTimeout(this.#idleTimer)
    clearTimeout(this.#retireTimer)
    const jobs = this.#jobs.values()
    this.#jobs.clear()
    this.#hooks.gone(this, startError)
    this.#ended.settle()
    // The job whose stop sent the SIGKILL, when that is what ended the process: it may have
    // exited by itself (a neighbour's process.exit) before the kill.
    const killedFor = signal === 'SIGKILL' ? this.#killedFor : undefined
    for (const job of jobs) {
      // A job that died of its own stop has no error: timedOut / cancelled say it. One that was
      // being stopped when a neighbour crashed the process died of the crash.
      const diedOfStop = job === killedFor || (signal !== null && signal === job.stopSignal)
      const error = startError ?? (diedOfStop ? null : this.#crash(job, jobs.length, code, signal, killedFor))
      job.settle({ exitCode: code, signal, error })
    }
  }

  #crash(job: PoolJob, count: number, code: number | null, signal: NodeJS.Signals | null, killedFor: PoolJob | undefined): SerializedError {
    const running = `the worker process ${this.pid} running job ${JSON.stringify(job.ident)}`
    const message = killedFor !== undefined
      ? `${running} was killed (SIGKILL) to stop job ${JSON.stringify(killedFor.ident)}, which shared it`
      : `${running}${count === 1 ? '' : ` and ${count - 1} more`} exited ${how(code, signal)}`
    return jobError(WorkerExitError, `${message}; the pool replaces it`)
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
