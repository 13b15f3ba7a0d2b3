// Redis connections from a URL: redis:// or rediss:// (TLS), with an ACL user and a password
// (`redis://user:secret@host:6379/0`), or a unix socket (`redis+unix:///run/redis.sock?db=0`).
// Messages show the URL without its password.

import type { RedisOptions } from 'ioredis'
import { Redis } from './peers.js'
import { closeWithin } from './within.js'

/** The longest ioredis waits between two attempts to reconnect (its default retryStrategy). */
export const RECONNECT_MAX_MS = 2000

/** A parsed, checked Redis URL: what ioredis needs, and the form safe to show in messages. */
export interface RedisAddress {
  readonly options: RedisOptions
  /** The URL with its password replaced by `***`. */
  readonly shown: string
}

/** Checks a Redis URL and turns it into ioredis options; a TypeError names a bad one. */
export function checkRedisUrl(url: unknown, what = 'redis url'): RedisAddress {
  let parsed: URL | undefined
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined
  } catch {
    // reported below
  }
  if (parsed === undefined || !['redis:', 'rediss:', 'redis+unix:'].includes(parsed.protocol)) {
    throw new TypeError(`${what} must be a URL such as redis://host:6379/0, rediss://user:password@host:6380/0 or ` +
      `redis+unix:///path/to/redis.sock, got ${JSON.stringify(url)}`)
  }
  const db = Number(parsed.protocol === 'redis+unix:' ? (parsed.searchParams.get('db') ?? 0) : (parsed.pathname.slice(1) || 0))
  if (!Number.isInteger(db) || db < 0) throw new TypeError(`${what}: the database must be a number, got ${JSON.stringify(url)}`)
  const options: RedisOptions = { db }
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username)
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password)
  if (parsed.protocol === 'redis+unix:') options.path = decodeURIComponent(parsed.pathname)
  else {
    options.host = parsed.hostname.replace(/^\[|\]$/g, '')
    options.port = parsed.port === '' ? 6379 : Number(parsed.port)
    if (parsed.protocol === 'rediss:') options.tls = { servername: options.host }
  }
  const shown = new URL(parsed.href)
  if (shown.password !== '') shown.password = '***'
  return { options, shown: shown.href }
}

/** ioredis's default maxRetriesPerRequest: the reconnection attempts a command waits through. */
const IOREDIS_RETRIES = 20

/**
 * How many reconnection attempts a command waits through so that it fails about `ms` after
 * Redis went away, not before: the fewest whose waits add up to `ms`, spaced as ioredis's default
 * retryStrategy spaces them (50 ms longer each time, RECONNECT_MAX_MS at most); at most
 * ioredis's default.
 */
export function retriesLasting(ms: number): number {
  let waited = 0
  for (let attempts = 1; attempts < IOREDIS_RETRIES; attempts++) {
    waited += Math.min(attempts * 50, RECONNECT_MAX_MS)
    if (waited >= ms) return attempts
  }
  return IOREDIS_RETRIES
}

/**
 * One connection. `retries`: the reconnection attempts a command waits through before it fails
 * (ioredis's maxRetriesPerRequest), so a command to a Redis that stays away fails instead of
 * waiting for ever; null for BullMQ's blocking reads, which must wait however long it takes.
 */
export function connect(address: RedisAddress, retries: number | null, onError: (error: Error) => void): Redis {
  const redis = new Redis({ ...address.options, maxRetriesPerRequest: retries, enableReadyCheck: true })
  // Without a listener ioredis prints every failed reconnection; the owner keeps the last one for its messages.
  redis.on('error', onError)
  return redis
}

/**
 * Calls `lost` with how long it has been away once `redis` has been cut off from Redis for `ms`
 * without getting back: its 'close' starts the clock, 'ready' stops it. A Redis that keeps the
 * connection but does not answer is not seen here (the producer's poll sees it). Returns the
 * function that stops watching.
 */
export function onOutage(redis: Redis, ms: number, lost: (awayMs: number) => void): () => void {
  let timer: NodeJS.Timeout | undefined
  const closed = (): void => {
    if (timer !== undefined) return
    const since = Date.now()
    timer = setTimeout(() => {
      timer = undefined
      lost(Date.now() - since)
    }, ms)
  }
  const ready = (): void => {
    clearTimeout(timer)
    timer = undefined
  }
  redis.on('close', closed)
  redis.on('ready', ready)
  return () => {
    ready()
    redis.off('close', closed)
    redis.off('ready', ready)
  }
}

/** What lastAttempt() and settled() need of a connection: an ioredis one, or BullMQ's copy of it. */
interface Connection {
  readonly status: string
  readonly options: Pick<RedisOptions, 'retryStrategy'>
  once(event: string, listener: () => void): unknown
  removeListener(event: string, listener: () => void): unknown
}

/**
 * From now on, a connection cut off from Redis ends at its next attempt to reconnect instead of
 * retrying for ever (ioredis reads its retryStrategy at each attempt): the commands that wait on
 * it fail, with "Connection is closed".
 */
export function lastAttempt(redis: Connection): void {
  redis.options.retryStrategy = () => null
}

/**
 * Resolves once `redis` is connected or has ended, or after `ms`. An ioredis connection
 * disconnected while it waits to reconnect never ends: its timer is cleared and no socket is left
 * to close, so its 'end' never comes and its waiting commands never settle
 * (https://github.com/redis/ioredis/issues/1247). After lastAttempt(), one waiting to reconnect
 * settles within RECONNECT_MAX_MS and an attempt: disconnect it only then.
 */
export async function settled(redis: Connection, ms: number): Promise<void> {
  if (redis.status === 'ready' || redis.status === 'end') return
  let done!: () => void
  const change = new Promise<void>((resolve) => (done = resolve))
  redis.once('ready', done)
  redis.once('end', done)
  await closeWithin([change], ms)
  redis.removeListener('ready', done)
  redis.removeListener('end', done)
}
