// A job's path through the manager once start() has checked it: admission (the older jobs of its
// name, then a slot under the cap), launch by its runner, supervision (its timeout, the start
// callbacks) and its end (the slot freed once every results() stream has its result).

import type { ControlPlane } from '../control/control-plane.js'
import { serializeError } from '../util/serialize-error.js'
import { Semaphore } from '../primitives/semaphore.js'
import { failedExecution, type Execution, type Outcome } from '../runners/execution.js'
import type { Backend } from '../runners/backend.js'
import { Launcher } from '../runners/launcher.js'
import type { PoolSettings } from '../runners/pool/settings.js'
import type { JobHandle, JobResult } from '../types.js'
import { Deadlines } from '../util/deadlines.js'
import { IndexedList } from '../util/indexed-list.js'
import { thisHost } from '../util/host.js'
import type { ManagerEvents } from './events.js'
import { JobView, type Job } from './job.js'
import { backoffMs, type ResourceLimits } from './options.js'
// Read through the module object, so a test can stand in for the machine's figures.
import os from 'node:os'
import type { AbortLike } from '../util/cancel-token.js'

/** How often a job waiting for free memory or a lower load looks again. */
const RESOURCE_POLL_MS = 250

/** Resolves after `ms`, or rejects with the token's reason once it aborts. */
function pause(ms: number, token: AbortLike): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(token.reason)
    }
    const timer = setTimeout(() => {
      token.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    token.addEventListener('abort', onAbort, { once: true })
  })
}

export class Scheduler {
  #maxProcs: number
  readonly cap: Semaphore
  /** Jobs launched and not yet ended, in the order they were launched. Not a Set: see util/indexed-list.ts. */
  readonly running = new IndexedList<'runningIndex', Job>('runningIndex')
  /** Jobs waiting for older jobs of their name or for a slot. */
  #queued = 0
  /** Every job's timeout, one timer per duration. */
  readonly #deadlines = new Deadlines()
  readonly launcher: Launcher
  /** Set by shutdown(): a job woken for a slot in that same turn does not start. */
  #shuttingDown = false
  readonly #control: ControlPlane
  readonly #events: ManagerEvents
  readonly #resources: ResourceLimits
  readonly #limited: boolean

  /** `spawners`: the spawner processes its commands go through; 0 for none. `resources`: what must be free for a job to start. */
  constructor(
    maxProcs: number, processPool: PoolSettings, threadPool: PoolSettings, control: ControlPlane, events: ManagerEvents, spawners: number,
    resources: ResourceLimits = { minFreeMemory: 0, maxLoad: Infinity }, backend?: Backend
  ) {
    this.#resources = resources
    this.#limited = resources.minFreeMemory > 0 || resources.maxLoad !== Infinity
    this.#maxProcs = maxProcs
    this.cap = new Semaphore(Math.max(1, maxProcs))
    this.launcher = new Launcher(processPool, threadPool, () => this.cap.capacity, spawners, backend)
    this.#control = control
    this.#events = events
  }

  /** The cap; 0 is the serial debug mode, where worker files run in this process, one at a time. */
  get maxProcs(): number {
    return this.#maxProcs
  }

  set maxProcs(maxProcs: number) {
    this.#maxProcs = maxProcs
    this.cap.capacity = Math.max(1, maxProcs)
  }

  /** Jobs running or waiting. */
  get active(): number {
    return this.running.size + this.#queued
  }

  /** A checked and registered job: runs it once it is admitted; resolves with its handle once it runs (serial mode: once it has ended). */
  admit(job: Job): Promise<JobHandle> {
    this.#queued++
    this.#events.busy()
    const admitted = this.#control.admitted(job)
    if (admitted === undefined && this.#resourcesFree() && this.cap.tryAcquire()) {
      // Nothing to wait for and a slot free: it starts within this call, without waiting a turn.
      this.#events.check()
      this.#queued--
      return this.#run(job)
    }
    return this.#startWhenFree(job, admitted)
  }

  /** Stops the running jobs with `signal`, SIGKILL after `graceMs`; a job woken for a slot from now on never starts. */
  shutdown(signal: NodeJS.Signals, graceMs: number): void {
    this.#shuttingDown = true
    for (const job of this.running.values()) job.cancel('shutdown', signal, graceMs)
  }

  /** Waits for the older jobs of its name and for a slot, then runs the job; a job cancelled meanwhile never starts. */
  async #startWhenFree(job: Job, admitted: Promise<void> | undefined): Promise<JobHandle> {
    let slot = false
    try {
      await admitted
      await this.cap.acquire({ signal: job.token })
      slot = true
      // Holding its slot, the job waits for memory and load: the jobs behind it wait too, in order.
      while (!this.#resourcesFree()) await pause(RESOURCE_POLL_MS, job.token)
    } catch (reason) {
      if (slot) this.cap.release()
      this.#queued--
      return this.#finishUnstarted(job, reason)
    } finally {
      this.#events.check()
    }
    this.#queued--
    return this.#run(job)
  }

  /** True when free memory and the load allow a job to start (always, without limits). */
  #resourcesFree(): boolean {
    if (!this.#limited) return true
    return os.freemem() >= this.#resources.minFreeMemory && os.loadavg()[0]! < this.#resources.maxLoad
  }

  /** The job has its slot: launches it. */
  #run(job: Job): Promise<JobHandle> {
    if (this.#shuttingDown) {
      // Woken by a free slot in the same turn as the shutdown: it must not start now.
      this.cap.release()
      return Promise.resolve(this.#finishUnstarted(job, 'shutdown'))
    }
    const serial = this.#maxProcs === 0
    const execution = this.#launch(job, serial)
    const { started } = execution
    if (started === undefined) return this.#supervise(job, execution, serial, Date.now())
    // A job elsewhere is supervised from now, its start awaited there; one that starts later here
    // (on a spawner) is handed back at its start, with its pid.
    if (execution.elsewhere !== undefined) return this.#supervise(job, execution, serial, null)
    return started.then((startedAt) => this.#supervise(job, execution, serial, startedAt))
  }

  /** Hands the job to its runner; a job that could not start has failed, and its slot is freed as any job's. */
  #launch(job: Job, serial: boolean): Execution {
    try {
      return this.launcher.launch(job.spec, job.ident, serial, job.attempts + 1, job)
    } catch (error) {
      // A spawn or fork that throws (E2BIG for a huge env, say) fails the job.
      return failedExecution(job.kind, serializeError(error))
    }
  }

  /**
   * A launched job, running since `startedAt` (null: it starts elsewhere later): its timeout, its
   * place among the running jobs, its start callbacks and its handle.
   */
  #supervise(job: Job, execution: Execution, serial: boolean, startedAt: number | null): Promise<JobHandle> {
    job.launched(execution, this.#deadlines, startedAt)
    this.running.add(job)
    this.#control.running(job)
    if (startedAt !== null) this.#events.started(job.ident, execution.kind, execution.pid, startedAt, thisHost)
    else void execution.started!.then((at) => this.#startedElsewhere(job, execution, at))
    const result = execution.outcome.then((outcome) => this.#attemptEnded(job, outcome, serial))
    if (execution.elsewhere === undefined) {
      // Started here: a runner here reports its start with a time (a spawner's job that failed to start, too).
      const handle = new JobView(job, result, thisHost)
      return serial ? result.then(() => handle) : Promise.resolve(handle)
    }
    // A job sent elsewhere is handed back once the other side has it (a queue: before a machine
    // there takes it), its handle's startedAt then.
    return execution.elsewhere.sent.then(() => {
      const handle = new JobView(job, result, null)
      return serial ? result.then(() => handle) : handle
    })
  }

  /**
   * A job that waited elsewhere (a remote queue) has started there: its timeout runs from now, and
   * runOnStart learns its host and pid. `started` settles before the outcome (RemoteRun), so this
   * execution is still the job's: no retry can have replaced it yet.
   */
  #startedElsewhere(job: Job, execution: Execution, startedAt: number | null): void {
    if (startedAt === null) return
    job.began(startedAt)
    // A runner names the host before it reports a start there (RemoteRun.began).
    this.#events.started(job.ident, execution.kind, execution.pid, startedAt, execution.elsewhere!.host)
  }

  /** One run of the job has ended: it is retried, or its result is the job's. */
  #attemptEnded(job: Job, outcome: Outcome, serial: boolean): JobResult | Promise<JobResult> {
    const r = job.settled(outcome)
    if (job.retries(r) && !this.#shuttingDown) return this.#retry(job, r, serial)
    return this.#ended(job, r)
  }

  #ended(job: Job, r: JobResult): JobResult | Promise<JobResult> {
    // The slot is held until every results() stream has room for r: a slow reader slows the pool.
    const delivered = this.#control.ended(job, r, true)
    return delivered === undefined ? this.#jobEnded(job, r) : delivered.then(() => this.#jobEnded(job, r))
  }

  /**
   * Runs a failed job again after its backoff, in the slot it holds. A cancel during the backoff ends it with its last result, cancelled.
   */
  async #retry(job: Job, last: JobResult, serial: boolean): Promise<JobResult> {
    this.#control.retrying(job, last)
    job.retrying()
    try {
      await pause(backoffMs(job.retry!, job.attempts), job.token)
    } catch (reason) {
      return this.#ended(job, { ...last, ok: false, cancelled: true, cancelReason: reason })
    }
    const execution = this.#launch(job, serial)
    // As at the first try: a start here later is awaited; a job elsewhere starts there (its timeout is the agent's).
    const startedAt = execution.started === undefined ? Date.now() : execution.elsewhere !== undefined ? null : await execution.started
    job.launched(execution, this.#deadlines, startedAt)
    this.#control.running(job)
    return execution.outcome.then((outcome) => this.#attemptEnded(job, outcome, serial))
  }

  /** A job that ran has ended and every results() stream has it: its slot is free. */
  #jobEnded(job: Job, r: JobResult): JobResult {
    this.running.delete(job)
    this.cap.release()
    this.#events.finished(r)
    return r
  }

  #finishUnstarted(job: Job, reason: unknown): JobHandle {
    const r = job.unstarted(reason)
    // It holds no slot, so nothing waits for results() readers to take it.
    void this.#control.ended(job, r, false)
    this.#events.finished(r)
    return new JobView(job, Promise.resolve(r), null)
  }
}
