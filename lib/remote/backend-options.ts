// redisBackend()'s options: checked at the call, each bad one a TypeError or RangeError naming it.

import { parseBytes } from '../primitives/bytes.js'
import { parseDuration } from '../primitives/duration.js'
import type { Duration } from '../types.js'
import { describe } from '../util/describe.js'
import { optionKeys, validateInteger, validateOneOf, validateOptions } from '../util/validate.js'
import { checkRedisUrl, type RedisAddress } from './connection.js'
import { checkQueueName } from './wire.js'

/** The options of `redisBackend()`: where the queue is, and how its jobs are delivered and kept. */
export interface RedisBackendOptions {
  /** `redis://[user:password@]host:port/db`, `rediss://…` (TLS) or `redis+unix:///path.sock?db=0`. Default: FORKPOOL_REDIS_URL. */
  url?: string
  /** The BullMQ queue the agents take from: letters, digits, '_', '.', '-'. */
  queue: string
  /** Largest job data (its serialized spec), bytes or `'8MB'`; bigger is refused at start(). Default 8 MiB. */
  maxDataBytes?: number | string
  /**
   * `'at-least-once'` (default): a job whose agent is lost runs again on another, at most
   * 1 + the agents' maxStalledCount times. `'at-most-once'`: it fails with a WorkerLostError instead.
   */
  delivery?: 'at-least-once' | 'at-most-once'
  /** How long a job may go unheard of before the producer reads its state from Redis (a missed event). Default `'5s'`. */
  reconcileInterval?: Duration
  /** How long Redis may stay unreachable before the jobs in flight settle with a JobLostError. Default `'2m'`. */
  lostAfter?: Duration
  /** How long a finished job's record stays in Redis, where the reconciling poll reads its result. Default `'1h'`. */
  keepResults?: Duration
  /**
   * How many finished jobs' records the queue keeps at most, its newest (BullMQ trims the older
   * ones as jobs finish, whatever their age): Redis's memory stays bounded however many jobs pass.
   * Keep it above the jobs the queue finishes while a producer may miss their events. Default 10000.
   */
  keepResultsCount?: number
  /** How long start() waits for Redis to answer before the job fails (an unreachable host, a wrong password). Default `'10s'`. */
  connectTimeout?: Duration
}

export interface BackendSettings {
  address: RedisAddress
  queue: string
  maxDataBytes: number
  atMostOnce: boolean
  reconcileMs: number
  lostAfterMs: number
  keepResultsS: number
  keepResultsCount: number
  connectTimeoutMs: number
}

const KEYS = optionKeys<RedisBackendOptions>({
  url: true, queue: true, maxDataBytes: true, delivery: true, reconcileInterval: true, lostAfter: true, keepResults: true,
  keepResultsCount: true, connectTimeout: true,
})

export function checkBackendOptions(options: RedisBackendOptions): BackendSettings {
  const o = validateOptions(options, 'redisBackend()', KEYS)
  const address = checkRedisUrl(o.url ?? process.env.FORKPOOL_REDIS_URL, 'redisBackend() url (or FORKPOOL_REDIS_URL)')
  const delivery = validateOneOf(o.delivery ?? 'at-least-once', 'redisBackend() delivery', ['at-least-once', 'at-most-once'] as const)
  const positive = (value: Duration | undefined, fallback: Duration, what: string): number => {
    const ms = parseDuration(value ?? fallback, `redisBackend() ${what}`)
    if (ms <= 0 || !Number.isFinite(ms)) {
      throw new RangeError(`redisBackend() ${what} must be a positive, finite duration, got ${describe(value)}`)
    }
    return ms
  }
  return {
    address,
    queue: checkQueueName(o.queue),
    maxDataBytes: parseBytes(o.maxDataBytes ?? 8 * 1024 * 1024, 'redisBackend() maxDataBytes'),
    atMostOnce: delivery === 'at-most-once',
    reconcileMs: positive(o.reconcileInterval, '5s', 'reconcileInterval'),
    lostAfterMs: positive(o.lostAfter, '2m', 'lostAfter'),
    keepResultsS: Math.ceil(positive(o.keepResults, '1h', 'keepResults') / 1000),
    keepResultsCount: validateInteger(o.keepResultsCount ?? 10_000, 'redisBackend() keepResultsCount', 1),
    connectTimeoutMs: positive(o.connectTimeout, '10s', 'connectTimeout'),
  }
}
