// The options a ForkManager takes, and the defaults of its durations.

import type { Logger } from '../control/log.js'
import { parseDuration } from '../primitives/duration.js'
import type { ProcessPoolOptions } from '../runners/pool/pool.js'
import type { Duration, OverlapPolicy } from '../types.js'

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
  /** The reused worker processes of `isolation: 'process-pool'`: recycling and idle time. They belong to the manager, one pool per manager. */
  processPool?: ProcessPoolOptions
  /**
   * On SIGINT or SIGTERM, shut down (passing that signal on to the jobs), then let the signal
   * end this process as it would have (or, where it is ignored, exit with 128 + its number once
   * the process is done). The handlers go away when the manager closes. Default false.
   */
  handleSignals?: boolean
}

export interface ShutdownOptions {
  /** The signal running jobs get first; SIGKILL follows after `grace`. Default 'SIGTERM'. */
  signal?: NodeJS.Signals
  /** Time between that signal and SIGKILL. Default: the manager's killGrace. */
  grace?: Duration
}

export const DEFAULT_TIMEOUT_MS = 24 * 3_600_000
export const DEFAULT_KILL_GRACE_MS = 5_000

/** A duration option in milliseconds: `fallback` when not given. */
export function timeoutOption(value: Duration | undefined, what: string, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value, what)
}
