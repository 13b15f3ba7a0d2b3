// What travels through Redis: a job's spec and its outcome, as structured clones (v8.serialize),
// so Map, Set, BigInt and Date reach the other side as they left; base64 because BullMQ stores JSON.

import { fileURLToPath } from 'node:url'
import { serialize, deserialize } from 'node:v8'
import { CHUNK_WORKER_FILE } from '../map/batch.js'
import type { ChunkOrder } from '../map/chunk-worker.js'
import type { Outcome, OutcomeDetails, StopLimits } from '../runners/execution.js'
import { uncloneable, type NormalizedJob } from '../runners/spec.js'
import { DataTooLargeError } from '../errors.js'
import { fileHash } from './file-hash.js'

/** The queue's job data. */
export interface WireJob {
  /** base64 of v8.serialize(NormalizedJob) */
  spec: string
  ident: string
  /** The manager's try number (its retries); the agent adds the re-runs after a lost agent. */
  attempt: number
  /** The job's timeout from its start on the agent, ms; null for none (JSON has no Infinity). */
  timeoutMs: number | null
  /** SIGTERM to SIGKILL on the agent, ms. */
  killGraceMs: number
  /** sha256 of the worker file as the producer read it (a map chunk's: the real worker file's): the agent refuses a file that differs. */
  workerHash?: string
  /**
   * A map() chunk: the agent runs it with its own copy of forkpool's chunk worker file (not the
   * producer's path), and checks the real worker file, ChunkOrder.url, against --root and the hash.
   */
  chunk?: boolean
  /** Never run twice: a second start (its agent was lost) fails it with a WorkerLostError. */
  atMostOnce?: boolean
}

/** The queue's job data for a checked job (`data`: its spec, encoded by the backend's check()). */
export function wireJob(
  spec: NormalizedJob, data: string, ident: string, attempt: number, limits: StopLimits, atMostOnce: boolean
): WireJob {
  const { timeoutMs, killGraceMs } = limits
  const wire: WireJob = { spec: data, ident, attempt, timeoutMs: Number.isFinite(timeoutMs) ? timeoutMs : null, killGraceMs }
  if (atMostOnce) wire.atMostOnce = true
  if (spec.type === 'worker' && spec.url === CHUNK_WORKER_FILE) wire.chunk = true
  // The user's worker file: a map() chunk's real worker file (in its data), else the job's own.
  const url = spec.type !== 'worker' ? '' : spec.url === CHUNK_WORKER_FILE ? (spec.data as ChunkOrder).url : spec.url
  if (url.startsWith('file:')) {
    // A file missing here is sent without a hash: the agent then fails it as a local run would (ERR_MODULE_NOT_FOUND).
    const hash = fileHash(fileURLToPath(url))
    if (hash !== undefined) wire.workerHash = hash
  }
  return wire
}

/**
 * What the agent returns for a job (encoded): the runner's outcome, its details flat beside it,
 * and when it started there. RemoteRun.settle makes it the producer's Outcome.
 */
export type WireResult = Omit<Outcome, 'details'> & Omit<OutcomeDetails, 'jobId'> & { startedAt?: number }

/** The job's progress, set by the agent as it starts the job: runOnStart at the producer. */
export interface StartReport {
  host: string
  pid: number | null
  startedAt: number
}

/** A producer's order to stop a job, published to every agent of the queue. */
export interface StopOrder {
  jobId: string
  signal: NodeJS.Signals
}

export const encode = (value: unknown): string => serialize(value).toString('base64')

/** A job's spec as the queue carries it; a TypeError for data v8.serialize cannot copy, a DataTooLargeError past `maxBytes`. */
export function encodeSpec(spec: NormalizedJob, ident: string, maxBytes: number): string {
  let data: string
  try {
    data = encode(spec)
  } catch (error) {
    throw uncloneable(ident, error as Error)
  }
  const bytes = Buffer.byteLength(data, 'base64')
  if (bytes > maxBytes) {
    const over = `over the redisBackend's maxDataBytes ${maxBytes}`
    throw new DataTooLargeError(`job ${JSON.stringify(ident)}: its data is ${bytes} bytes once serialized, ${over}`, bytes, maxBytes)
  }
  return data
}
export const decode = (text: string): unknown => deserialize(Buffer.from(text, 'base64'))

/** The pub/sub channel on which producers ask agents to stop a running job. */
export const stopChannel = (queue: string): string => `forkpool:${queue}:stop`

/** A queue name BullMQ can use as a Redis key part. */
export function checkQueueName(queue: unknown): string {
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(queue)) {
    throw new TypeError(`queue must be 1 to 100 letters, digits, '_', '.' or '-', got ${JSON.stringify(queue)}`)
  }
  return queue
}
