// How the command reports a finished job's status, as a shell would ($?). Whether it failed is JobResult.ok.

import { constants } from 'node:os'
import type { JobResult } from '../types.js'

export function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal]
}

/** $? as sh would give it: the exit code, 128 + the signal's number, or 127 for a program that never ran. */
export function shellStatus(result: JobResult): number {
  if (result.exitCode !== null) return result.exitCode
  if (result.signal !== null) return 128 + signalNumber(result.signal)
  return 127
}
