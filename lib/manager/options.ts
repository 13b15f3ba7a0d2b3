// The options a ForkManager, its start() and its shutdown() take, and their checks: each turns
// what the caller gave into settings with every default filled in, or throws a TypeError or
// RangeError naming the bad value (or the unknown key, and where it belongs).

import { availableParallelism, constants } from 'node:os'
import { assertLogger, defaultLogger, type Logger } from '../control/log.js'
import { OVERLAP_POLICIES } from '../control/overlap.js'
import { parseDuration } from '../primitives/duration.js'
import { isBackend, type Backend } from '../runners/backend.js'
import {
  PROCESS_POOL_KEYS, processPoolSettings, threadPoolSettings, type PoolSettings, type ProcessPoolOptions, type ThreadPoolOptions
} from '../runners/pool/settings.js'
import { JOB_KEYS, START_OPTION_KEYS } from '../runners/spec.js'
import { defaultSpawnerCount } from '../runners/spawner/spawners.js'
import type { BackoffOptions, Duration, OverlapPolicy, RetryOptions, SignalName, StartOptions } from '../types.js'
import { parseBytes } from '../primitives/bytes.js'
import {
  elsewhere, invalidType, optionKeys, outOfRange, unknownOption, validateAbortSignal, validateBoolean, validateInteger, validateNumberAbove,
  validateObject, validateOneOf, validateOptions, validateString,
} from '../util/validate.js'

/** The options of `new ForkManager(options)`; every one is optional, and an unknown key is a TypeError. */
export interface ForkManagerOptions {
  /** How many jobs run at once. Default: os.availableParallelism(). 0: the serial debug mode. */
  maxProcs?: number
  /** Every job's timeout unless its start says otherwise. Default '24h'; Infinity disables it. */
  timeout?: Duration
  /** Time between SIGTERM and SIGKILL when a job is stopped. Default '5s'. */
  killGrace?: Duration
  /** What a start of a named job does while another job of that name is in flight. Default 'cancel-old'. */
  onOverlap?: OverlapPolicy
  /** Where job lines go (pino-compatible). Default: util.debuglog('forkpool'), shown by NODE_DEBUG=forkpool. */
  logger?: Logger
  /**
   * The reused worker processes of `isolation: 'process-pool'`: recycling and idle time. They belong to the manager, one pool per manager.
   */
  processPool?: ProcessPoolOptions
  /** The worker threads of `isolation: 'thread'`: how many jobs a thread runs at once. One pool per manager. */
  threadPool?: ThreadPoolOptions
  /** Where jobs run instead of this machine: `redisBackend()` from 'forkpool/redis' makes one. Default: here. */
  backend?: Backend
  /**
   * On SIGINT or SIGTERM, shut down (passing that signal on to the jobs), then let the signal
   * end this process as it would have (or, where it is ignored, exit with 128 + its number once
   * the process is done). The handlers go away when the manager closes. Default false.
   */
  handleSignals?: boolean
  /**
   * Command jobs and fresh processes (isolation 'process') are started by small spawner
   * processes, forked while this process is small, so a start costs the same however large this
   * process grows, and a manager killed even by SIGKILL leaves no command running. They belong to
   * the process (every manager shares them) and start with its first such job (or
   * ForkManager.warm()). true (the default): min(2, availableParallelism()) of them; a number: at
   * least that many; false: commands and fresh processes are started from this process. (Fresh processes
   * go through the native forker only; where it could not be built, they are forked from this process.)
   */
  spawner?: boolean | number
  /** Start a job only while at least this much memory is free (os.freemem()): bytes, or a size like '1GB'. Default: no limit. */
  minFreeMemory?: number | string
  /** Start a job only while the 1-minute load average (os.loadavg()) is below this. Default: no limit. */
  maxLoad?: number
}

/** The options of `shutdown()`. */
export interface ShutdownOptions {
  /** The signal running jobs get first; SIGKILL follows after `grace`. Default 'SIGTERM'. */
  signal?: SignalName
  /** Time between that signal and SIGKILL. Default: the manager's killGrace. */
  grace?: Duration
}

export const DEFAULT_TIMEOUT_MS = 24 * 3_600_000
export const DEFAULT_KILL_GRACE_MS = 5_000

/** A duration option in milliseconds: `fallback` when not given. */
export function timeoutOption(value: Duration | undefined, what: string, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value, what)
}

/** A start()'s options, checked, with the manager's defaults for what it did not give. */
export interface StartSettings {
  readonly timeoutMs: number
  readonly killGraceMs: number
  readonly signal: AbortSignal | undefined
  readonly name: string | undefined
  readonly label: string | undefined
  readonly onOverlap: OverlapPolicy
  readonly retry?: RetrySettings | undefined
}

/** start()'s retries, checked: the wait before retry n (from 1) is min(max, delay * factor^(n-1)), jittered. */
export interface RetrySettings {
  readonly count: number
  readonly delayMs: number
  readonly factor: number
  readonly maxMs: number
  readonly jitter: boolean
}

/** What a job must find free before it starts: 0 and Infinity when unlimited. */
export interface ResourceLimits {
  readonly minFreeMemory: number
  readonly maxLoad: number
}

/** ForkManagerOptions, checked, every default filled in. */
export interface ManagerSettings {
  readonly maxProcs: number
  readonly timeoutMs: number
  readonly killGraceMs: number
  readonly onOverlap: OverlapPolicy
  /** Undefined: no logger (NODE_DEBUG does not name forkpool). */
  readonly logger: Logger | undefined
  readonly processPool: PoolSettings
  readonly threadPool: PoolSettings
  readonly handleSignals: boolean
  /** How many spawner processes to keep; 0: none, commands and fresh processes start from this process. */
  readonly spawners: number
  readonly resources: ResourceLimits
  readonly backend: Backend | undefined
  /** What checkStartOptions returns for a start() given no options: one object per manager. */
  readonly startDefaults: StartSettings
}

export interface ShutdownSettings {
  readonly signal: SignalName
  readonly graceMs: number
}

/** start()'s options when none are given: one object, not one per call, which checkStartOptions knows at sight. */
export const NO_START_OPTIONS: StartOptions = Object.freeze({})

const MANAGER_KEYS = optionKeys<ForkManagerOptions>({
  maxProcs: true, timeout: true, killGrace: true, onOverlap: true, logger: true, processPool: true, handleSignals: true,
  spawner: true, threadPool: true, minFreeMemory: true, maxLoad: true, backend: true,
})
const SHUTDOWN_KEYS = optionKeys<ShutdownOptions>({ signal: true, grace: true })

/** Keys of the other objects, each with where it goes when it is given to the wrong one. */
const MANAGER_ELSEWHERE = new Map([
  ...elsewhere(PROCESS_POOL_KEYS, (key) => `processPool.${key}`),
  ...elsewhere([...START_OPTION_KEYS].filter((key) => !MANAGER_KEYS.has(key)), (key) => `the start() option ${key}`),
  ...elsewhere(JOB_KEYS, (key) => `the job's ${key}`),
])
const START_ELSEWHERE = new Map([
  ...elsewhere(JOB_KEYS, (key) => `the job's ${key}`),
  ...elsewhere([...MANAGER_KEYS].filter((key) => !START_OPTION_KEYS.has(key)), (key) => `the ForkManager option ${key}`),
  ...elsewhere(PROCESS_POOL_KEYS, (key) => `the ForkManager option processPool.${key}`),
])
const SHUTDOWN_ELSEWHERE = new Map([['killGrace', 'grace']])

/** Checks a ForkManager's options once, at its construction. */
export function checkManagerOptions(options?: ForkManagerOptions): ManagerSettings {
  const o = validateOptions(options, 'ForkManager', MANAGER_KEYS, { elsewhere: MANAGER_ELSEWHERE })
  const maxProcs = o.maxProcs === undefined ? availableParallelism() : validateInteger(o.maxProcs, 'maxProcs')
  const timeoutMs = timeoutOption(o.timeout, 'timeout', DEFAULT_TIMEOUT_MS)
  const killGraceMs = timeoutOption(o.killGrace, 'killGrace', DEFAULT_KILL_GRACE_MS)
  const onOverlap = o.onOverlap === undefined ? 'cancel-old' : validateOneOf(o.onOverlap, 'onOverlap', OVERLAP_POLICIES)
  const logger = o.logger === undefined ? defaultLogger() : assertLogger(o.logger)
  const handleSignals = o.handleSignals === undefined ? false : validateBoolean(o.handleSignals, 'handleSignals')
  if (o.backend !== undefined && !isBackend(o.backend)) throw invalidType('backend', 'a backend such as redisBackend()', o.backend)
  // With a backend, commands run on the agents: this process needs no spawner.
  const spawners = o.backend === undefined ? spawnerCount(o.spawner) : 0
  const startDefaults: StartSettings = Object.freeze({
    timeoutMs, killGraceMs, signal: undefined, name: undefined, label: undefined, onOverlap,
  })
  const resources: ResourceLimits = {
    minFreeMemory: o.minFreeMemory === undefined ? 0 : parseBytes(o.minFreeMemory, 'minFreeMemory'),
    maxLoad: o.maxLoad === undefined ? Infinity : validateNumberAbove(o.maxLoad, 'maxLoad', 0),
  }
  return {
    maxProcs, timeoutMs, killGraceMs, onOverlap, logger, processPool: processPoolSettings(o.processPool),
    threadPool: threadPoolSettings(o.threadPool), handleSignals, spawners, resources, backend: o.backend, startDefaults
  }
}

/** The spawner option as a count of spawner processes, 0 for none. */
function spawnerCount(spawner: unknown): number {
  if (spawner === undefined || spawner === true) return defaultSpawnerCount()
  if (spawner === false) return 0
  if (typeof spawner !== 'number') throw invalidType('spawner', 'a boolean or a number of spawner processes', spawner)
  return validateInteger(spawner, 'spawner (false for none)', 1)
}

/**
 * Checks a start()'s options: `defaults` (the manager's startDefaults) itself when none are
 * given, which is most starts, so they cost nothing here. Otherwise one for-in pass reads them
 * (see lib/runners/spec.ts for why), and a message is built only for a bad one.
 */
export function checkStartOptions(options: StartOptions | undefined, defaults: StartSettings): StartSettings {
  if (options === NO_START_OPTIONS || options === undefined) return defaults
  validateObject(options, 'start() options')
  let timeout: unknown, killGrace: unknown, signal: unknown, name: unknown, label: unknown, onOverlap: unknown, retries: unknown
  for (const key in options) {
    // Inherited keys are read as a property read would read them; only own ones can be unknown.
    const value: unknown = (options as Record<string, unknown>)[key]
    switch (key) {
      case 'timeout': timeout = value; break
      case 'killGrace': killGrace = value; break
      case 'signal': signal = value; break
      case 'name': name = value; break
      case 'label': label = value; break
      case 'onOverlap': onOverlap = value; break
      case 'retries': retries = value; break
      default: if (Object.hasOwn(options, key)) throw unknownOption(key, 'start()', START_OPTION_KEYS, START_ELSEWHERE)
    }
  }
  const none = timeout === undefined && killGrace === undefined && signal === undefined && name === undefined && label === undefined
  if (none && onOverlap === undefined && retries === undefined) return defaults
  return {
    timeoutMs: timeout === undefined ? defaults.timeoutMs : parseDuration(timeout, 'timeout'),
    killGraceMs: killGrace === undefined ? defaults.killGraceMs : parseDuration(killGrace, 'killGrace'),
    signal: validateAbortSignal(signal, 'start() signal'),
    name: name === undefined ? undefined : validateString(name, 'start() name', true),
    label: label === undefined ? undefined : validateString(label, 'start() label'),
    onOverlap: onOverlap === undefined ? defaults.onOverlap : validateOneOf(onOverlap, 'start() onOverlap', OVERLAP_POLICIES),
    retry: retries === undefined ? undefined : checkRetries(retries),
  }
}

const RETRY_KEYS = optionKeys<RetryOptions>({ count: true, backoff: true })
const BACKOFF_KEYS = optionKeys<BackoffOptions>({ type: true, delay: true, max: true, jitter: true })
const NO_BACKOFF = { delayMs: 0, factor: 1, maxMs: Infinity, jitter: false }

/** start()'s `retries`: a count, or { count, backoff }; undefined when it asks for no retry. */
function checkRetries(value: unknown): RetrySettings | undefined {
  if (typeof value === 'number') value = { count: value }
  const o = validateOptions(value as RetryOptions, 'start() retries', RETRY_KEYS)
  const count = validateInteger(o.count, 'start() retries.count')
  if (count === 0) return undefined
  if (o.backoff === undefined) return { count, ...NO_BACKOFF }
  if (typeof o.backoff === 'number' || typeof o.backoff === 'string') {
    return {
      count, ...NO_BACKOFF, delayMs: parseDuration(o.backoff, 'start() retries.backoff')
    }
  }
  const b = validateOptions(o.backoff, 'start() retries.backoff', BACKOFF_KEYS)
  const type = b.type === undefined
    ? 'exponential'
    : validateOneOf(b.type, 'start() retries.backoff.type', ['fixed', 'exponential'] as const)
  return {
    count,
    delayMs: parseDuration(b.delay, 'start() retries.backoff.delay'),
    factor: type === 'fixed' ? 1 : 2,
    maxMs: b.max === undefined ? Infinity : parseDuration(b.max, 'start() retries.backoff.max'),
    jitter: b.jitter === undefined ? false : validateBoolean(b.jitter, 'start() retries.backoff.jitter'),
  }
}

/** The wait before retry `n` (from 1); `random` is Math.random, or a test's. */
export function backoffMs(r: RetrySettings, n: number, random: () => number = Math.random): number {
  const full = Math.min(r.maxMs, r.delayMs * r.factor ** (n - 1))
  return r.jitter ? full / 2 + random() * (full / 2) : full
}

const SIGNAL_EXPECTED = `a signal name such as 'SIGTERM'`

/** Checks shutdown()'s options; `killGraceMs` is the manager's, the default grace. */
export function checkShutdownOptions(options: ShutdownOptions | undefined, killGraceMs: number): ShutdownSettings {
  const o = validateOptions(options, 'shutdown()', SHUTDOWN_KEYS, { elsewhere: SHUTDOWN_ELSEWHERE })
  const signal = o.signal ?? 'SIGTERM'
  if (typeof signal !== 'string') throw invalidType('shutdown() signal', SIGNAL_EXPECTED, signal)
  if (!Object.hasOwn(constants.signals, signal)) throw outOfRange('shutdown() signal', SIGNAL_EXPECTED, signal)
  return { signal, graceMs: timeoutOption(o.grace, 'grace', killGraceMs) }
}
