// How the command sees a finished job: failed or not, and its status as a shell would report it.

import { constants } from 'node:os'
import type { JobResult } from '../types.js'

export function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal]
}

/** Failed: a non-zero exit, a signal, or an error (not found, a worker's throw, a timeout). */
export function jobFailed(result: JobResult): boolean {
  return result.exitCode !== 0 || result.signal !== null || result.error !== null || result.timedOut
}

/** $? as sh would give it: the exit code, 128 + the signal's number, or 127 for a program that never ran. */
export function shellStatus(result: JobResult): number {
  if (result.exitCode !== null) return result.exitCode
  if (result.signal !== null) return 128 + signalNumber(result.signal)
  return 127
}
