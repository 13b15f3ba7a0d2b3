// The producer side: jobs go to a BullMQ queue, agents (`forkpool worker`) run them. Each job's
// start comes back as its progress (runOnStart), its end as its return value (the completed
// event). Events can be missed (BullMQ #2517; a dropped connection; a Redis restart), so a
// low-rate poll reads the state of the jobs this producer has heard nothing of for a while: every
// start() settles once, from the event or from the poll, whichever comes first.

import { randomUUID } from 'node:crypto'
import { JobLostError, QueueError, RedisUnreachableError, jobError } from '../errors.js'
import type { Backend } from '../runners/backend.js'
import type { Execution, StopLimits } from '../runners/execution.js'
import type { NormalizedJob } from '../runners/spec.js'
import { serializeError } from '../util/serialize-error.js'

import { connect, onOutage, retriesLasting, type RedisAddress } from './connection.js'
import { checkBackendOptions, type BackendSettings, type RedisBackendOptions } from './backend-options.js'
import { failedRemotely } from './failures.js'
import { Queue, QueueEvents, type Redis } from './peers.js'
import { RemoteRun } from './remote-run.js'
import { NEVER_RAN, stopRun, type StopContext } from './stop-run.js'
import { decode, encodeSpec, stopChannel, wireJob, type StartReport, type WireJob, type WireResult } from './wire.js'
import { answerWithin, closeWithin } from './within.js'

export type { RedisBackendOptions } from './backend-options.js'

/** Jobs whose state one poll reads at most: the poll stays cheap with many jobs in flight. */
const POLL_BATCH = 500
/**
 * The producer's own deadline for a job is its timeout and kill grace plus this: the agent
 * enforces the timeout; this bound only catches an agent gone silent.
 */
const SAFETY_MS = 10_000
/** The longest one poll waits for Redis's answers before counting the poll as failed. */
const POLL_MS = 5000

/** How long an add that found Redis away waits before it tries again. */
const ADD_RETRY_MS = 1000
/** What ioredis and Redis say while Redis is away, restarting, or loading its data: an add worth trying again. */
const UNREACHABLE = /max retries per request|Connection is closed|ECONNREFUSED|ECONNRESET|ENOENT|EPIPE|Stream isn't writeable|LOADING/i

/** How long close() waits for BullMQ to close cleanly. */
const CLOSE_MS = 2000

/** The Redis backend: `new ForkManager({ backend: redisBackend({ url, queue }) })` runs every job on the queue's agents. */
export function redisBackend(options: RedisBackendOptions): Backend {
  return new RedisBackend(checkBackendOptions(options))
}

class RedisBackend implements Backend {
  /**
   * A chunk's trip through Redis and an agent's process start costs tens of milliseconds, not
   * map()'s local fraction of one: chunks ten times longer keep that near 1% of the work.
   */
  readonly chunkTargetMs = 500
  /**
   * Tiny items never reach that target: 10,000 add-one items (map()'s local cap) ran 0.1–8 ms on
   * the agent and 30–60 ms there and back, and each chunk costs the producer, Redis and the agent
   * a few ms of CPU. Five times the items: remote-map 1.44 against 1.21 million items/s (two
   * 9-round runs, one right after the other). Bytes stay bounded by maxDataBytes (map() sends a
   * chunk it refuses again in smaller ones).
   */
  readonly chunkMaxItems = 50_000
  readonly #settings: BackendSettings
  readonly #address: RedisAddress
  #queue!: Queue
  #events: QueueEvents | undefined
  readonly #publisher: Redis
  readonly #connections: Redis[]
  readonly #onError = (error: Error): void => void (this.#lastError = error)
  /** Jobs sent and not yet ended, by BullMQ job id. */
  readonly #runs = new Map<string, RemoteRun>()
  /** Job data encoded by check() at start(), for launch() to send. */
  readonly #encoded = new WeakMap<NormalizedJob, string>()
  readonly #producerId = randomUUID().slice(0, 8)
  #seq = 0
  #ready: Promise<void> | undefined
  #lastError: Error | undefined
  #pollTimer: NodeJS.Timeout | undefined
  /** Epoch ms since which every poll has failed; undefined while Redis answers. */
  #unreachableSince: number | undefined
  /** Stops the outage clock on the queue's connection (onOutage), at close(). */
  #stopWatching: (() => void) | undefined
  /** Rejects at close(): what an add waiting for Redis gives up on. */
  readonly #closed: Promise<never>
  #close!: (error: Error) => void

  constructor(settings: BackendSettings) {
    this.#settings = settings
    this.#address = settings.address
    this.#publisher = connect(this.#address, retriesLasting(settings.lostAfterMs), this.#onError)
    // BullMQ leaves connections it was given open on close(): close() here ends each.
    this.#connections = [this.#publisher]
    this.#closed = new Promise<never>((_resolve, reject) => (this.#close = reject))
    this.#closed.catch(() => {})
  }

  /** The queue and its event reader, made once Redis has answered: BullMQ's objects on a Redis that never answers could not be closed. */
  #open(): Promise<unknown> {
    const onError = this.#onError
    // A command gives up about when lostAfter has passed: an add then fails, as lostAfter says.
    const retries = retriesLasting(this.#settings.lostAfterMs)
    this.#connections.push(connect(this.#address, retries, onError), connect(this.#address, null, onError))
    // Cut off past lostAfter: the jobs in flight are lost then, not at the next failing poll.
    this.#stopWatching = onOutage(this.#connections[1]!, this.#settings.lostAfterMs, (away) => this.#unreachable(away, ''))
    this.#queue = new Queue(this.#settings.queue, { connection: this.#connections[1]! })
    const events = (this.#events = new QueueEvents(this.#settings.queue, { connection: this.#connections[2]! }))
    this.#queue.on('error', onError)
    events.on('error', onError)
    events.on('completed', ({ jobId, returnvalue }) => this.#finish(jobId, decode(returnvalue as unknown as string) as WireResult))
    events.on('failed', ({ jobId, failedReason }) => this.#finish(jobId, failedRemotely(failedReason)))
    events.on('progress', ({ jobId, data }) => this.#started(jobId, data as unknown as StartReport))
    return Promise.all([this.#queue.waitUntilReady(), events.waitUntilReady()])
  }

  /** Encodes the job's data at start(), refusing it there when it cannot be serialized or is over maxDataBytes. */
  check(spec: NormalizedJob, ident: string): void {
    this.#encoded.set(spec, encodeSpec(spec, ident, this.#settings.maxDataBytes))
  }

  /** Sends the job off: its run is the Execution at once, and the send goes on in #send. */
  launch(spec: NormalizedJob, ident: string, attempt: number, limits: StopLimits): Execution {
    // start() checked it (the Backend contract), which encoded it.
    const wire = wireJob(spec, this.#encoded.get(spec)!, ident, attempt, limits, this.#settings.atMostOnce)
    // Its own id: an add repeated after a reconnection cannot make a second job.
    const jobId = `${this.#producerId}-${++this.#seq}`
    const kind = spec.type === 'command' ? 'command' : spec.isolation
    const run = new RemoteRun(kind, jobId, limits.killGraceMs + SAFETY_MS, (r, signal) => void this.#stop(r, signal))
    // In the map before the add: an agent may end the job before the add's reply is here.
    this.#runs.set(jobId, run)
    void this.#send(run, ident, wire)
    return run
  }

  /**
   * Queues a launched run. One that cannot be (Redis unreachable, the add refused) ends here,
   * unstarted, with why; one stopped before its add is never sent, as if taken off the queue.
   */
  async #send(run: RemoteRun, ident: string, wire: WireJob): Promise<void> {
    try {
      await this.#connected()
      if (run.stopSignal !== undefined) return this.#finish(run.jobId, NEVER_RAN)
      try {
        await this.#add(run.jobId, wire)
      } catch (error) {
        const message = `cannot queue job ${JSON.stringify(ident)} on Redis at ${this.#address.shown}: ${(error as Error).message}`
        throw new QueueError(message, { cause: error })
      }
    } catch (error) {
      this.#runs.delete(run.jobId)
      return run.unsent(serializeError(error))
    }
    run.added()
    this.#pollSoon()
    // Stopped during the add (a stop waits for the queue to hold the job): taken off the queue now.
    if (run.stopSignal !== undefined) await this.#stop(run, run.stopSignal)
  }

  /**
   * Adds the job; while Redis is away (ioredis gives up on a command after up to about 10 s of
   * reconnecting, sooner under a shorter lostAfter), again every ADD_RETRY_MS, for up to lostAfter,
   * as the jobs already in flight wait for it. A repeated add cannot make a second job: the job has its own id.
   */
  async #add(jobId: string, wire: WireJob): Promise<void> {
    const keep = { age: this.#settings.keepResultsS, count: this.#settings.keepResultsCount }
    const since = Date.now()
    for (;;) {
      try {
        // Raced with close(): BullMQ's add on a closed connection can wait for ever.
        const added = this.#queue.add('forkpool', wire, { jobId, attempts: 1, removeOnComplete: keep, removeOnFail: keep })
        return void await Promise.race([added, this.#closed])
      } catch (error) {
        const { message } = (this.#lastError = error as Error)
        if (!UNREACHABLE.test(message)) throw error
        const away = Date.now() - since
        if (away + ADD_RETRY_MS > this.#settings.lostAfterMs) {
          throw new Error(`unreachable for ${away} ms, past lostAfter (${this.#settings.lostAfterMs} ms): ${message}`, { cause: error })
        }
        await Promise.race([new Promise((resolve) => setTimeout(resolve, ADD_RETRY_MS)), this.#closed])
      }
    }
  }

  /** Resolves once Redis answers, or rejects within connectTimeout with what went wrong (an unreachable host, a wrong password). */
  #connected(): Promise<void> {
    this.#ready ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#ready = undefined
        const why = this.#lastError?.message ?? 'no answer'
        const message = `cannot reach Redis at ${this.#address.shown} within ${this.#settings.connectTimeoutMs} ms: ${why}`
        reject(new RedisUnreachableError(message, this.#lastError && { cause: this.#lastError }))
      }, this.#settings.connectTimeoutMs)
      this.#publisher.ping().then(() => this.#events === undefined ? this.#open() : undefined).then(() => {
        clearTimeout(timer)
        resolve()
      }, () => {
        // The timer reports it, with the connection's last error.
      })
    })
    return this.#ready
  }

  #started(jobId: string, report: StartReport): void {
    const run = this.#runs.get(jobId)
    if (run === undefined) return
    run.began(report)
    // Stopped while an agent was taking it: the agent may have missed the first order.
    if (run.stopSignal !== undefined) void this.#publish(run, run.stopSignal)
  }

  #finish(jobId: string, result: WireResult): void {
    const run = this.#runs.get(jobId)
    if (run === undefined) return
    this.#runs.delete(jobId)
    run.settle(result)
  }

  /** A job still waiting is taken off the queue (it never ran); one an agent has is stopped there, or taken off once its agent is lost. */
  #stop(run: RemoteRun, signal: NodeJS.Signals): Promise<void> {
    const context: StopContext = {
      queue: this.#queue, redis: this.#publisher, everyMs: this.#settings.reconcileMs,
      publish: (r, s) => this.#publish(r, s), finish: (jobId, result) => this.#finish(jobId, result),
    }
    return stopRun(context, run, signal)
  }

  #publish(run: RemoteRun, signal: NodeJS.Signals): Promise<unknown> {
    // A failed publish is not retried here: the stop comes again with its SIGKILL after the kill grace, and the poll goes on.
    const order = JSON.stringify({ jobId: run.jobId, signal })
    return this.#publisher.publish(stopChannel(this.#settings.queue), order).catch((error: Error) => (this.#lastError = error))
  }

  #pollSoon(): void {
    if (this.#pollTimer !== undefined || this.#runs.size === 0) return
    this.#pollTimer = setTimeout(() => void this.#poll(), this.#settings.reconcileMs)
  }

  /** Reads the state of the jobs heard of least recently; settles those that ended or vanished. */
  async #poll(): Promise<void> {
    const now = Date.now()
    const silent: RemoteRun[] = []
    for (const run of this.#runs.values()) {
      if (run.queued && now - run.heardAt >= this.#settings.reconcileMs) silent.push(run)
      if (silent.length === POLL_BATCH) break
    }
    try {
      // Bounded: ioredis would hold the commands through its reconnection attempts for half a minute.
      const read = Promise.all(silent.map((run) => this.#queue.getJob(run.jobId)))
      const jobs = await answerWithin(read, Math.min(this.#settings.lostAfterMs, POLL_MS))
      this.#unreachableSince = undefined
      silent.forEach((run, i) => this.#reconcile(run, jobs[i], now))
    } catch (error) {
      this.#lastError = error as Error
      this.#unreachableSince ??= now
      const away = now - this.#unreachableSince
      if (away >= this.#settings.lostAfterMs) this.#unreachable(away, `: ${(error as Error).message}`)
    }
    this.#pollTimer = undefined
    this.#pollSoon()
  }

  #reconcile(run: RemoteRun, job: Awaited<ReturnType<Queue['getJob']>>, now: number): void {
    run.heardAt = now
    if (job === undefined) {
      // Not in Redis although its add succeeded and its record is kept after its end (keepResults,
      // keepResultsCount): Redis lost it, or more jobs than keepResultsCount ended before this poll.
      void this.#publish(run, 'SIGKILL')
      const why = 'did Redis lose its data, or did more than keepResultsCount jobs end since?'
      const error = jobError(JobLostError, `job ${run.jobId} vanished from Redis at ${this.#address.shown} before its result came (${why})`)
      return this.#finish(run.jobId, { exitCode: null, signal: null, error })
    }
    if (typeof job.progress === 'object' && !run.hasStarted) this.#started(run.jobId, job.progress as unknown as StartReport)
    if (typeof job.returnvalue === 'string') this.#finish(run.jobId, decode(job.returnvalue) as WireResult)
    else if (job.finishedOn !== undefined) this.#finish(run.jobId, failedRemotely(job.failedReason))
  }

  /** `detail`: what the failing poll was told; nothing when the connection's close started the clock. */
  #unreachable(awayMs: number, detail: string): void {
    const lostAfter = `(lostAfter ${this.#settings.lostAfterMs} ms)`
    this.#loseAll(`Redis at ${this.#address.shown} has been unreachable for ${awayMs} ms ${lostAfter}${detail}`)
  }

  #loseAll(message: string): void {
    // One still on its way is not lost: its add settles it (the add gives up at close() and after lostAfter).
    for (const run of [...this.#runs.values()].filter((r) => r.queued)) {
      this.#finish(run.jobId, { exitCode: null, signal: null, error: jobError(JobLostError, `job ${run.jobId}: ${message}`) })
    }
  }

  async close(): Promise<void> {
    this.#close(new Error('the redisBackend was closed'))
    clearTimeout(this.#pollTimer)
    this.#stopWatching?.()
    // The manager closes it once no job runs; a direct close() must not leave a start() unsettled.
    this.#loseAll('the redisBackend was closed before its result came')
    // BullMQ's close waits for Redis, which may be gone: bounded, then the connections are cut.
    if (this.#events !== undefined) await closeWithin([this.#events.close(), this.#queue.close()], CLOSE_MS)
    for (const connection of this.#connections) connection.disconnect()
  }
}
