// A remote job that BullMQ itself failed (the agent's processor never returned a result): why, as
// a JobResult's error. The one failure forkpool expects is a job whose agents were lost more often
// than their stall limit allows (BullMQ's "job stalled more than allowable limit").

import { QueueError, WorkerLostError, jobError } from '../errors.js'
import type { WireResult } from './wire.js'

export function failedRemotely(reason: string): WireResult {
  if (/stalled more than allowable limit/i.test(reason)) {
    const error = jobError(WorkerLostError,
      `the agents running it were lost more often than their maxStalledCount allows (${reason}); it is not run again`)
    return { exitCode: null, signal: null, error, pid: null }
  }
  return { exitCode: null, signal: null, error: jobError(QueueError, `the queue failed the job: ${reason}`), pid: null }
}
