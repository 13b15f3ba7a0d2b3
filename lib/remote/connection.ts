// One Redis connection from a URL: redis://, rediss:// (TLS), with user and password.

import { Redis } from 'ioredis'

export function checkRedisUrl(url: unknown): URL {
  let parsed: URL
  try {
    parsed = new URL(String(url))
  } catch {
    throw new TypeError(`redis url must be a URL such as redis://host:6379/0, got ${JSON.stringify(url)}`)
  }
  if (typeof url !== 'string' || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw new TypeError(`redis url must start with redis:// or rediss://, got ${JSON.stringify(url)}`)
  }
  return parsed
}

/** BullMQ's blocking connections need maxRetriesPerRequest null; they reconnect on their own. */
export function connect(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true })
}
