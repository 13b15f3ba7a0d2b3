// One worker of the pool, a reused process or a thread (its Transport): it is started once, takes
// jobs (up to the pool's concurrentTasksPerWorker at once), and ends when the pool retires it,
// when a stop ends it, or when it crashes. Orders to it are batched per turn of the event loop
// (see protocol.ts).

import { DataCloneError, jobError } from '../../errors.js'
import { describeSetup, endedJobError, startFailure } from './failures.js'
import type { WorkerSpec } from '../spec.js'
import { jobByJob, type PoolMessage, type PoolOrders } from './protocol.js'
import type { SerializedError } from '../../types.js'
import type { Execution } from '../execution.js'
import { settleOnce } from '../../util/once.js'
import { JobTable } from './job-table.js'
import { PoolJob } from './pool-job.js'
import type { StartTransport, Transport } from './transport.js'

// A retired worker exits as soon as its event loop sees the order. One that a job left busy (a
// synchronous loop in a timer) cannot see it: it is killed after this long.
const GRACE_MS = 2_000
// The longest a thread that is killed while it starts or imports a worker file is left to finish
// loading before it is terminated all the same (see #kill); its jobs settle at once regardless.
const IMPORT_BOUND_MS = 30_000
const STOP_ANSWER_MS = 500 // see #stop

/** What the pool hears from a worker. */
export interface PoolWorkerHooks {
  /** The worker is up and listening for jobs. */
  ready(worker: PoolWorker): void
  /** Jobs ended; `rss` is the process's resident memory in bytes (0 when not measured). */
  answered(worker: PoolWorker, rss: number): void
  /** Its last job ended and it takes more: the pool parks it. */
  idle(worker: PoolWorker): void
  /** The worker is gone; `startError` is set when it never got ready. */
  gone(worker: PoolWorker, startError: SerializedError | null): void
}

export class PoolWorker {
  /** Jobs this worker has been given. */
  tasks = 0
  /** When it was last given a job (a count of the pool's jobs): the pool prefers the warmest idle worker. */
  lastUsed = 0
  /** Settles once the worker is gone, and has exited. */
  readonly gone: Promise<void>
  readonly #transport: Transport
  readonly #hooks: PoolWorkerHooks
  readonly #setup: string
  readonly #jobs = new JobTable<PoolJob>()
  /** What a job's stop() calls: one function for all the jobs of this worker. */
  readonly #stopJob = (job: PoolJob, signal: NodeJS.Signals): void => this.#stop(job, signal)
  /** Orders not yet sent: they go out together at the end of this turn, or once the worker is full. */
  #orders: PoolOrders | undefined
  /** Batches sent so far: a job given in batch `#batches` while #orders is set has not been sent. */
  #batches = 0
  #flushTimer: NodeJS.Immediate | undefined
  #ready = false
  /** Each worker file sent to it: true once it said the file has loaded. */
  readonly #files = new Map<string, boolean>()
  /** Files sent that have not loaded yet. */
  #importing = 0
  /** Set by retire(): it takes no new job, and goes once its last job has ended. */
  #retiring = false
  /** The job whose stop ended this worker, which took any neighbours with it. */
  #killedFor: PoolJob | undefined
  /** Set while a kill waits for the worker to be ready and done importing. */
  #killSignal: 'SIGKILL' | undefined
  #idleTimer: NodeJS.Timeout | undefined
  #graceTimer: NodeJS.Timeout | undefined
  readonly #ended = settleOnce<void>()

  /** `measureRss`: have a process report its resident memory with its answers. */
  constructor(spec: WorkerSpec, start: StartTransport, hooks: PoolWorkerHooks, measureRss: boolean) {
    this.#hooks = hooks
    this.#transport = start(spec, {
      message: (message) => this.#message(message),
      exit: (code, signal, error, killed) => this.#end(code, signal, error, killed),
    }, measureRss)
    const { exited } = this.#transport
    this.gone = this.#ended.promise.then(() => exited)
    this.#setup = describeSetup(spec, this.#transport.kind)
  }

  /** Jobs running in the worker now. */
  get load(): number {
    return this.#jobs.size
  }

  /** Whether it takes jobs: not retired, not gone. */
  get accepting(): boolean {
    return !this.#retiring && !this.#ended.settled
  }

  /** Hands the worker a job, the pool's `seq`th (only an accepting worker with room gets one). `jobId`: a remote job's ctx.jobId. */
  run(seq: number, spec: WorkerSpec, ident: string, attempt: number, jobId?: string): Execution {
    clearTimeout(this.#idleTimer)
    this.tasks++
    this.lastUsed = seq
    if (this.#jobs.size === 0) this.#transport.hold(true)
    const { kind, pid, threadId } = this.#transport
    const orders = this.#order()
    const job = new PoolJob(kind, ident, spec.url, pid, threadId, this.tasks, this.#batches, this.#stopJob)
    job.id = this.#jobs.add(job)
    const { urls } = orders
    let file = urls.length - 1
    // A batch names each worker file once; it is nearly always the one the last job named.
    if (urls[file] !== spec.url) {
      file = urls.indexOf(spec.url)
      if (file === -1) file = urls.push(spec.url) - 1
    }
    const at = orders.ids.push(job.id) - 1
    orders.files.push(file)
    orders.idents.push(ident)
    orders.data.push(spec.data)
    if (attempt !== 1) (orders.retried ??= []).push(at, attempt)
    // An agent's pool runs only remote jobs, so a batch has a jobId for every job or for none.
    if (jobId !== undefined) (orders.jobIds ??= []).push(jobId)
    return job
  }

  /** Parks an idle worker: it no longer keeps this process alive, and ends after `idleMs` unused. */
  park(idleMs: number): void {
    this.#transport.hold(false)
    if (idleMs === Infinity) return
    this.#idleTimer = setTimeout(() => this.retire(), idleMs)
    this.#idleTimer.unref()
  }

  /** Takes no more jobs and, once its last one has ended, asks the worker to exit; kills it if it cannot. */
  retire(): void {
    this.#retiring = true
    clearTimeout(this.#idleTimer)
    if (this.#jobs.size > 0 || this.#graceTimer !== undefined || this.#ended.settled) return
    // Whoever waits for `gone` (close()) must not see this process exit first.
    this.#transport.hold(true)
    this.#transport.send(null)
    this.#graceTimer = setTimeout(() => this.#kill(undefined), GRACE_MS)
  }

  /**
   * A stop is an order (the job's ctx.signal fires, see runtime.ts) when the job listens or may not
   * have begun: its order not sent yet, its worker file still loading, or its worker shared (a
   * loaded worker reads its orders late). A job that runs and does not listen cannot hear it: its
   * worker is ended (a process by SIGKILL) with any job that shares it: at once when alone in it,
   * else once the worker answers that it is deaf, or does not answer within STOP_ANSWER_MS (a job
   * busy in synchronous code). SIGKILL ends the worker at once.
   */
  #stop(job: PoolJob, signal: NodeJS.Signals): void {
    if (job.settled) return
    job.stopping = true
    if (signal !== 'SIGKILL') {
      job.stopSignal ??= signal
      const unsent = this.#orders !== undefined && job.batch === this.#batches
      const heard = job.listening || unsent || this.#files.get(job.url) !== true
      if (heard || this.#jobs.size > 1) {
        this.#order().stops.push({ id: job.id, signal })
        if (!heard) setTimeout(() => { if (!job.settled && !job.listening) this.#kill(job) }, STOP_ANSWER_MS).unref()
        return
      }
    }
    this.#kill(job)
  }

  /**
   * Ends the worker, for `job`'s stop or for a retired worker that did not exit; a process at once. A thread that starts or imports
   * a worker file is not terminated then, which would leave the fds of the files it was reading open in this process
   * (thread/transport.ts): its jobs settle now, and the thread is terminated once it has loaded them (IMPORT_BOUND_MS at most).
   */
  #kill(job: PoolJob | undefined): void {
    this.#killedFor ??= job
    // SIGKILL, not the stop's signal: a handler (a loader's, a worker file's) could not run in a
    // busy process anyway, and would keep it alive until killGrace.
    this.#killSignal = 'SIGKILL'
    if (this.#transport.abandon === undefined || this.#loadedAll()) {
      this.#transport.kill(this.#killSignal)
      return
    }
    this.#transport.abandon()
    clearTimeout(this.#graceTimer)
    this.#graceTimer = setTimeout(() => this.#transport.kill('SIGKILL'), IMPORT_BOUND_MS)
  }

  #loadedAll(): boolean {
    return this.#ready && this.#importing === 0
  }

  /** A kill that waited for the thread to be ready and done importing goes now. */
  #killIfWaiting(): void {
    if (this.#killSignal === undefined || !this.#loadedAll()) return
    clearTimeout(this.#graceTimer) // else it would keep this process alive after the thread has gone
    this.#transport.kill(this.#killSignal)
  }

  /**
   * Sends the orders now: the pool calls it once the worker has all the jobs it can take, so that
   * it works on them while this one deals with the others. (Sent only at the end of the turn, the
   * batches of all workers would go out, and come back, in step.)
   */
  flush(): void {
    // Called with orders waiting: by the pool right after run(), or by the end-of-turn timer,
    // which a flush before it cancels.
    const orders = this.#orders!
    clearImmediate(this.#flushTimer)
    this.#orders = undefined
    this.#batches++
    for (const url of orders.urls) {
      if (this.#files.has(url)) continue
      this.#files.set(url, false)
      this.#importing++
    }
    try {
      this.#transport.send(orders)
    } catch {
      this.#sendOneByOne(orders)
    }
    this.#jobs.sent()
  }

  /** A batch that cannot be cloned goes job by job; a job whose data cannot fails alone. */
  #sendOneByOne(orders: PoolOrders): void {
    for (const one of jobByJob(orders)) {
      try {
        this.#transport.send(one)
      } catch (error) {
        const job = this.#jobs.get(one.ids[0]!)!
        this.#jobs.delete(job.id, true)
        const why = `the data of job ${JSON.stringify(job.ident)} cannot be sent to ${this.#transport.name}`
        const failure = jobError(DataCloneError, `${why} (structured clone failed: ${(error as Error).message})`)
        job.settle({ exitCode: 1, signal: null, error: failure, details: this.#transport.details })
      }
    }
    if (this.#jobs.size === 0) this.#answered(0)
  }

  #order(): PoolOrders {
    if (this.#orders === undefined) {
      this.#orders = { ids: [], files: [], urls: [], idents: [], data: [], stops: [] }
      this.#flushTimer = setImmediate(() => this.flush())
    }
    return this.#orders
  }

  #message(message: PoolMessage): void {
    if ('ids' in message) {
      const { ids, exitCodes, data, errors } = message
      const { details } = this.#transport
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!
        const job = this.#jobs.get(id)!
        this.#jobs.delete(id, this.#orders !== undefined)
        // A job that was asked to stop may have left things running in the worker: it ends.
        if (job.stopping) this.#retiring = true
        job.settle({ exitCode: exitCodes[i]!, signal: null, data: data[i], error: errors[i]!, details })
      }
      this.#answered(message.rss)
    } else if ('ready' in message) {
      this.#ready = true
      // Not for a thread abandoned while it started (#kill): only its note that it can be ended comes.
      if (!this.#ended.settled) this.#hooks.ready(this)
      this.#killIfWaiting()
    } else if ('loaded' in message) {
      this.#files.set(message.loaded, true)
      this.#importing--
      this.#killIfWaiting()
    } else if ('listening' in message) {
      // Sent while the job runs, so before its answer.
      this.#jobs.get(message.listening)!.listening = true
    } else {
      // A job that began before its stop order came, and does not listen.
      const job = this.#jobs.get(message.deaf)
      if (job !== undefined) this.#kill(job)
    }
  }

  #answered(rss: number): void {
    this.#hooks.answered(this, rss)
    if (this.#jobs.size > 0) return
    if (this.#retiring) this.retire()
    else this.#hooks.idle(this)
  }

  #end(code: number | null, signal: NodeJS.Signals | null, error: unknown, killed: boolean): void {
    clearTimeout(this.#idleTimer)
    clearTimeout(this.#graceTimer)
    const jobs = this.#jobs.values()
    this.#jobs.clear()
    // A worker stopped before it got ready died of the stop, not of a bad setup, unless it says
    // what ended it (a spawn that failed).
    const stoppedEarly = error === undefined && jobs.some((job) => job.stopping)
    const startError = this.#ready || stoppedEarly ? null : startFailure(this.#setup, code, signal, error)
    this.#hooks.gone(this, startError)
    this.#ended.settle()
    // The job whose stop ended the worker (killedFor), when that is what ended it: it may have
    // exited by itself (a neighbour's process.exit) before the kill.
    const ended = { code, signal, error, killedFor: killed ? this.#killedFor : undefined, jobs: jobs.length }
    const { details } = this.#transport
    for (const job of jobs) {
      const failure = startError ?? endedJobError(this.#transport, job, ended)
      job.settle({ exitCode: code, signal, error: failure, details })
    }
  }
}
