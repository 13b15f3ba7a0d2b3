// The producer side: jobs go to a BullMQ queue, agents (`forkpool worker`) run them, and each
// Execution's outcome settles from the queue's completed/failed events.

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Queue, QueueEvents } from 'bullmq'
import type { Redis } from 'ioredis'
import { serializeError } from '../errors.js'
import type { Backend } from '../runners/backend.js'
import type { Execution, Outcome } from '../runners/execution.js'
import type { NormalizedJob } from '../runners/spec.js'
import { checkRedisUrl, connect } from './connection.js'
import { checkQueueName, decode, encode, stopChannel, type WireJob } from './wire.js'

export interface RedisBackendOptions {
  /** Default: FORKPOOL_REDIS_URL. */
  url?: string
  queue: string
  /** Largest job data in bytes after serialization; bigger is refused at start(). Default 16 MiB. */
  maxDataBytes?: number
}

export function redisBackend(options: RedisBackendOptions): Backend {
  const url = options.url ?? process.env.FORKPOOL_REDIS_URL
  checkRedisUrl(url)
  const queueName = checkQueueName(options.queue)
  const maxDataBytes = options.maxDataBytes ?? 16 * 1024 * 1024
  return new RedisBackend(url!, queueName, maxDataBytes)
}

class RedisBackend implements Backend {
  /**
   * A chunk's trip through Redis and an agent's process start costs tens of milliseconds, not
   * map()'s local fraction of one: chunks ten times longer keep that near 1% of the work.
   */
  readonly chunkTargetMs = 500
  readonly #queue: Queue
  readonly #events: QueueEvents
  readonly #publisher: Redis
  readonly #queueName: string
  readonly #maxDataBytes: number
  /** Jobs sent and not yet ended, by BullMQ job id. */
  readonly #pending = new Map<string, (outcome: Outcome) => void>()
  readonly #ready: Promise<unknown>
  readonly #connections: Redis[]

  constructor(url: string, queueName: string, maxDataBytes: number) {
    this.#queueName = queueName
    this.#maxDataBytes = maxDataBytes
    this.#publisher = connect(url)
    // BullMQ leaves connections it was given open on close(): close() here ends each.
    this.#connections = [this.#publisher, connect(url), connect(url)]
    this.#queue = new Queue(queueName, { connection: this.#connections[1]! })
    this.#events = new QueueEvents(queueName, { connection: this.#connections[2]! })
    this.#events.on('completed', ({ jobId, returnvalue }) => this.#settle(jobId, { ...(decode(returnvalue as unknown as string) as Outcome), jobId }))
    this.#events.on('failed', ({ jobId, failedReason }) => {
      this.#settle(jobId, { exitCode: null, signal: null, error: { name: 'WorkerLostError', message: failedReason, code: 'ERR_FORKPOOL_WORKER_LOST' } })
    })
    this.#ready = this.#events.waitUntilReady()
  }

  #settle(jobId: string, outcome: Outcome): void {
    const resolve = this.#pending.get(jobId)
    if (resolve === undefined) return
    this.#pending.delete(jobId)
    resolve(outcome)
  }

  async launch(spec: NormalizedJob, ident: string, attempt: number): Promise<Execution> {
    const wire: WireJob = { spec: encode(spec), ident, attempt }
    if (wire.spec.length * 0.75 > this.#maxDataBytes) {
      throw new RangeError(`job ${ident}: its data is ${Math.round(wire.spec.length * 0.75)} bytes, over maxDataBytes ${this.#maxDataBytes}`)
    }
    if (spec.type === 'worker' && spec.url.startsWith('file:')) {
      wire.workerHash = createHash('sha256').update(await readFile(fileURLToPath(spec.url))).digest('hex')
    }
    await this.#ready
    // removeOnComplete: the result travels in the event; the job's record is not needed after it.
    const job = await this.#queue.add('job', wire, { removeOnComplete: true, removeOnFail: true })
    const jobId = job.id!
    let resolve!: (outcome: Outcome) => void
    const outcome = new Promise<Outcome>((r) => (resolve = r))
    this.#pending.set(jobId, resolve)
    return {
      kind: spec.type === 'command' ? 'command' : spec.isolation === 'thread' ? 'thread' : 'process',
      pid: null,
      outcome,
      stop: (signal) => void this.#stop(jobId, signal),
    }
  }

  /** A waiting job is taken off the queue; a running one is stopped by its agent. */
  async #stop(jobId: string, signal: NodeJS.Signals): Promise<void> {
    try {
      const job = await this.#queue.getJob(jobId)
      if (job !== undefined && (await job.isWaiting() || await job.isDelayed())) {
        await job.remove()
        this.#settle(jobId, { exitCode: null, signal, error: null })
        return
      }
    } catch {
      // Taken by an agent meanwhile (it is locked): the agent stops it.
    }
    await this.#publisher.publish(stopChannel(this.#queueName), JSON.stringify({ jobId, signal })).catch((error: unknown) => {
      this.#settle(jobId, { exitCode: null, signal: null, error: serializeError(error) })
    })
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#events.close(), this.#queue.close()])
    for (const connection of this.#connections) connection.disconnect()
  }
}
