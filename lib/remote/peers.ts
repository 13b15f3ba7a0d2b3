// bullmq and ioredis are optional peer dependencies: only forkpool/redis, `forkpool worker` and
// `forkpool --redis` use them, so a user who needs none of these does not install them. Every
// other module of lib/remote/ takes their classes from here. A static import of a missing package
// fails while Node links the module graph, before any code runs, with a stack of
// ERR_MODULE_NOT_FOUND; this module loads them with import() at its top level instead, so the
// first thing a user without them meets is one line that says what to install.

import type * as BullMQ from 'bullmq'
import type * as IORedis from 'ioredis'
import { ForkpoolError } from '../errors.js'

/** package.json's peerDependencies, the versions forkpool is tested with (test/package checks that they agree). */
export const PEER_PINS = { bullmq: '6.7.0', ioredis: '5.11.1' } as const

/** The one line a user without the peers reads: the command that installs them. */
export const INSTALL_PEERS = `npm install ${Object.entries(PEER_PINS).map(([name, pin]) => `${name}@${pin}`).join(' ')}`

/** Node's "not installed" for `name` becomes the line that says what to install; any other failure (a broken install) stays as it is. */
export function missingPeer(name: keyof typeof PEER_PINS, error: unknown): unknown {
  const { code, message } = error as { code?: unknown; message?: unknown }
  // No `cause`: Node would print its ERR_MODULE_NOT_FOUND stack under this line, the noise this replaces.
  if (code === 'ERR_MODULE_NOT_FOUND' && String(message).includes(`'${name}'`)) {
    return new ForkpoolError(`forkpool's Redis backend and agent need bullmq and ioredis, and ${name} is not installed: ${INSTALL_PEERS}`)
  }
  return error
}

const [bullmq, ioredis] = await Promise.all([
  import('bullmq').catch((error: unknown) => Promise.reject(missingPeer('bullmq', error))),
  import('ioredis').catch((error: unknown) => Promise.reject(missingPeer('ioredis', error))),
])

export const { Queue, QueueEvents, Worker } = bullmq
export const { Redis } = ioredis
export type Queue = BullMQ.Queue
export type QueueEvents = BullMQ.QueueEvents
export type Redis = IORedis.Redis
