// startAgent()'s options, checked at the call as the manager's are: an unknown key is a TypeError
// naming it (and the option it probably means), a wrong type a TypeError, a value out of range a
// RangeError. Durations are a number of ms or a string like '2s'; the pools take the manager's own
// processPool/threadPool options, checked by the same code.

import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { parseDuration } from '../primitives/duration.js'
import {
  processPoolSettings, threadPoolSettings, type PoolSettings, type ProcessPoolOptions, type ThreadPoolOptions,
} from '../runners/pool/settings.js'
import type { Duration } from '../types.js'
import { describe } from '../util/describe.js'
import { optionKeys, validateBoolean, validateInteger, validateOptions, validateString } from '../util/validate.js'
import { checkRedisUrl, type RedisAddress } from './connection.js'
import { checkQueueName } from './wire.js'

/** The options of `startAgent()`, which the `forkpool worker` command's flags fill in. */
export interface AgentOptions {
  /** `redis://…`, `rediss://…` or `redis+unix://…` (see redisBackend). */
  url: string
  /** The queue's name, as the producers' `redisBackend({ queue })`. */
  queue: string
  /** Worker files run only from under this folder. */
  root: string
  /** Jobs at once on this agent, as the manager's maxProcs (from 1). Default: os.availableParallelism(). */
  maxProcs?: number
  /** The host name reported with its results. Default: os.hostname(). */
  name?: string
  /** Command jobs run only when true. Default false. */
  allowCommands?: boolean
  /** BullMQ's lock: how soon a lost agent's jobs are taken by another (about lockDuration + stalledInterval). Default `'30s'`. */
  lockDuration?: Duration
  /** How often BullMQ looks for jobs of lost agents. Default `'30s'`. */
  stalledInterval?: Duration
  /** How often a job may lose its agent and still run again. Default 1: at most two runs. */
  maxStalledCount?: number
  /** The reused processes of this agent's `'process-pool'` jobs, as the manager's `processPool` (sized by the agent's maxProcs). */
  processPool?: ProcessPoolOptions
  /** The threads of this agent's `'thread'` jobs, as the manager's `threadPool`. */
  threadPool?: ThreadPoolOptions
  /**
   * How long startAgent() waits for Redis to answer before it rejects with a RedisUnreachableError.
   * Default `'10s'` (the producer's connectTimeout).
   */
  connectTimeout?: Duration
}

export interface AgentSettings {
  address: RedisAddress
  queue: string
  root: string
  maxProcs: number
  name: string | undefined
  allowCommands: boolean
  lockDurationMs: number
  stalledIntervalMs: number
  maxStalledCount: number
  processPool: PoolSettings
  threadPool: PoolSettings
  connectTimeoutMs: number
}

const KEYS = optionKeys<AgentOptions>({
  url: true, queue: true, root: true, maxProcs: true, name: true, allowCommands: true, lockDuration: true, stalledInterval: true,
  maxStalledCount: true, processPool: true, threadPool: true, connectTimeout: true,
})

/** The names these options had before they took the manager's: a key from then is told its new place. */
const RENAMED = new Map([
  ['concurrency', 'maxProcs'],
  ['tasksPerWorker', 'processPool.concurrentTasksPerWorker and threadPool.concurrentTasksPerWorker'],
])

export function checkAgentOptions(options: AgentOptions): AgentSettings {
  const o = validateOptions(options, 'startAgent()', KEYS, { elsewhere: RENAMED })
  // Whole ms: BullMQ hands them to Redis (PX), which takes integers.
  const duration = (value: Duration | undefined, fallback: Duration, what: string): number => {
    const ms = parseDuration(value ?? fallback, `startAgent() ${what}`)
    if (!Number.isFinite(ms)) throw new RangeError(`startAgent() ${what} must be a finite duration, got ${describe(value)}`)
    return Math.ceil(ms)
  }
  return {
    address: checkRedisUrl(o.url, 'startAgent() url'),
    queue: checkQueueName(o.queue),
    root: resolve(validateString(o.root, 'startAgent() root', true)),
    maxProcs: o.maxProcs === undefined ? availableParallelism() : validateInteger(o.maxProcs, 'startAgent() maxProcs', 1),
    name: o.name === undefined ? undefined : validateString(o.name, 'startAgent() name', true),
    allowCommands: o.allowCommands === undefined ? false : validateBoolean(o.allowCommands, 'startAgent() allowCommands'),
    lockDurationMs: duration(o.lockDuration, '30s', 'lockDuration'),
    stalledIntervalMs: duration(o.stalledInterval, '30s', 'stalledInterval'),
    maxStalledCount: validateInteger(o.maxStalledCount ?? 1, 'startAgent() maxStalledCount', 0),
    processPool: processPoolSettings(o.processPool),
    threadPool: threadPoolSettings(o.threadPool),
    connectTimeoutMs: duration(o.connectTimeout, '10s', 'connectTimeout'),
  }
}
