// What a job of a pool worker that ended under it gets: the worker could not start, or crashed,
// or was ended to stop another job that shared it.

import { AbortError, jobError, WorkerExitError, WorkerStartError } from '../../errors.js'
import { serializeError } from '../../util/serialize-error.js'
import type { SerializedError } from '../../types.js'
import type { WorkerSpec } from '../spec.js'
import type { Transport } from './transport.js'

/** The worker's setup, for a start-up error: `a pool worker thread (execArgv [])`. */
export function describeSetup(spec: WorkerSpec, kind: Transport['kind']): string {
  const parts = [`execArgv ${JSON.stringify(spec.execArgv)}`]
  if (spec.cwd !== undefined) parts.push(`cwd ${JSON.stringify(spec.cwd)}`)
  if (spec.resourceLimits !== undefined) parts.push(`resourceLimits ${JSON.stringify(spec.resourceLimits)}`)
  return `a pool worker ${kind === 'thread' ? 'thread' : 'process'} (${parts.join(', ')})`
}

/** A worker that ended before it was ready; `error`: what ended it, when known. */
export function startFailure(setup: string, code: number | null, signal: NodeJS.Signals | null, error: unknown): SerializedError {
  if (error === undefined) return jobError(WorkerStartError, `${setup} exited ${how(code, signal)} before it was ready`)
  return { ...serializeError(error), ...jobError(WorkerStartError, `${setup} could not be started: ${(error as Error).message}`) }
}

/** Job `ident`, one of `count` on the worker, which ended: by itself, or to stop job `killedFor`. */
export function crashError(
  worker: Transport, ident: string, count: number, code: number | null, signal: NodeJS.Signals | null, killedFor: string | undefined
): SerializedError {
  const running = `${worker.name} running job ${JSON.stringify(ident)}`
  const ended = worker.kind === 'thread' ? 'terminated' : `killed (${signal})`
  const message = killedFor !== undefined
    ? `${running} was ${ended} to stop job ${JSON.stringify(killedFor)}, which shared it`
    : `${running}${count === 1 ? '' : ` and ${count - 1} more`} exited ${how(code, signal)}`
  return jobError(WorkerExitError, `${message}; the pool replaces it`)
}

/** How a worker ended, for each job that was on it: `killedFor`, the job whose stop ended it; `jobs`, how many were on it. */
export interface WorkerEnd {
  code: number | null
  signal: NodeJS.Signals | null
  error: unknown
  killedFor: { ident: string } | undefined
  jobs: number
}

/** The error of a job that was on a worker when it ended (after it was ready); null: the job died of its own stop. */
export function endedJobError(
  worker: Transport, job: { ident: string; stopSignal: NodeJS.Signals | undefined }, end: WorkerEnd
): SerializedError | null {
  const { code, signal, error, killedFor } = end
  // A job that died of its own stop has no error (timedOut / cancelled say it), but a thread,
  // which has no signal to show for it, says it was terminated. One that was being stopped when a
  // neighbour crashed the worker died of the crash.
  if (job === killedFor || (signal !== null && signal === job.stopSignal)) {
    return signal === null ? jobError(AbortError, 'the worker thread was terminated') : null
  }
  // A thread's uncaught exception, or its resourceLimits, is the error of every job on it.
  if (error !== undefined) return serializeError(error)
  return crashError(worker, job.ident, end.jobs, code, signal, killedFor?.ident)
}

function how(code: number | null, signal: NodeJS.Signals | null): string {
  return signal === null ? `with code ${code}` : `by ${signal}`
}
