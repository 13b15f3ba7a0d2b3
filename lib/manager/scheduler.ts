// A job's path through the manager once start() has checked it: admission (the older jobs of its
// name, then a slot under the cap), launch by its runner, supervision (its timeout, the start
// callbacks) and its end (the slot freed once every results() stream has its result).

import type { ControlPlane } from '../control/control-plane.js'
import { serializeError } from '../errors.js'
import { Semaphore } from '../primitives/semaphore.js'
import { failedExecution, type Execution } from '../runners/execution.js'
import { Launcher } from '../runners/launcher.js'
import type { ProcessPoolSettings } from '../runners/pool/pool.js'
import type { ThreadPoolSettings } from '../runners/thread/settings.js'
import type { JobHandle, JobResult } from '../types.js'
import { Deadlines } from '../util/deadlines.js'
import type { ManagerEvents } from './events.js'
import { JobView, type Job } from './job.js'

export class Scheduler {
  #maxProcs: number
  readonly cap: Semaphore
  /** Jobs launched and not yet ended. */
  readonly running = new Set<Job>()
  /** Jobs waiting for older jobs of their name or for a slot. */
  #queued = 0
  /** Every job's timeout, one timer per duration. */
  readonly #deadlines = new Deadlines()
  readonly launcher: Launcher
  /** Set by shutdown(): a job woken for a slot in that same turn does not start. */
  #shuttingDown = false
  readonly #control: ControlPlane
  readonly #events: ManagerEvents

  /** `spawners`: the spawner processes its commands go through; 0 for none. */
  constructor(maxProcs: number, processPool: ProcessPoolSettings, threadPool: ThreadPoolSettings, control: ControlPlane, events: ManagerEvents, spawners: number) {
    this.#maxProcs = maxProcs
    this.cap = new Semaphore(Math.max(1, maxProcs))
    this.launcher = new Launcher(processPool, threadPool, () => this.cap.capacity, spawners)
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
    this.launcher.resize()
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
    if (admitted !== undefined || !this.cap.tryAcquire()) return this.#startWhenFree(job, admitted)
    // Nothing to wait for and a slot free: it starts within this call, without waiting a turn.
    this.#events.check()
    this.#queued--
    return this.#run(job)
  }

  /** Stops the running jobs with `signal`, SIGKILL after `graceMs`; a job woken for a slot from now on never starts. */
  shutdown(signal: NodeJS.Signals, graceMs: number): void {
    this.#shuttingDown = true
    for (const job of this.running) job.cancel('shutdown', signal, graceMs)
  }

  /** Waits for the older jobs of its name and for a slot, then runs the job; a job cancelled meanwhile never starts. */
  async #startWhenFree(job: Job, admitted: Promise<void> | undefined): Promise<JobHandle> {
    try {
      await admitted
      await this.cap.acquire({ signal: job.token })
    } catch (reason) {
      this.#queued--
      return this.#finishUnstarted(job, reason)
    } finally {
      this.#events.check()
    }
    this.#queued--
    return this.#run(job)
  }

  /** The job has its slot: launches it. */
  #run(job: Job): Promise<JobHandle> {
    if (this.#shuttingDown) {
      // Woken by a free slot in the same turn as the shutdown: it must not start now.
      this.cap.release()
      return Promise.resolve(this.#finishUnstarted(job, 'shutdown'))
    }
    const serial = this.#maxProcs === 0
    let launched: Execution | Promise<Execution>
    try {
      launched = this.launcher.launch(job.spec, job.ident, serial)
    } catch (error) {
      // A spawn that throws (E2BIG for a huge env, say) fails the job as a start that rejects does.
      launched = Promise.reject(error)
    }
    // The process runners start at once; commands and threads asynchronously.
    if (!(launched instanceof Promise)) return this.#supervise(job, launched, serial)
    return launched.then(
      (execution) => this.#supervise(job, execution, serial),
      // A job that could not start has failed, and its slot is freed as any job's.
      (error: unknown) => this.#supervise(job, failedExecution(job.kind, serializeError(error)), serial),
    )
  }

  /** A launched job: its timeout, its place among the running jobs, its start callbacks and its handle. */
  #supervise(job: Job, execution: Execution, serial: boolean): Promise<JobHandle> {
    job.launched(execution, this.#deadlines)
    this.running.add(job)
    this.#control.running(job)
    this.#events.started(job.ident, execution.kind, execution.pid, job.startedAt!)
    const result = execution.outcome.then((outcome) => {
      const r = job.settled(outcome)
      // The slot is held until every results() stream has room for r: a slow reader slows the pool.
      const delivered = this.#control.ended(job, r, true)
      return delivered === undefined ? this.#jobEnded(job, r) : delivered.then(() => this.#jobEnded(job, r))
    })
    const handle = new JobView(job, result)
    return serial ? result.then(() => handle) : Promise.resolve(handle)
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
    return new JobView(job, Promise.resolve(r))
  }
}
