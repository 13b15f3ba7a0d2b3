// The errors of a command job that its runner reports in the result: a command that could not
// start, and output past maxBuffer. Shared by the direct path and the spawner's.

import { MaxBufferError, jobError } from '../errors.js'
import { serializeError } from '../util/serialize-error.js'
import type { SerializedError } from '../types.js'
import type { Outcome } from './execution.js'
import type { CommandSpec } from './spec.js'

/** The outcome of a command that never ran: not found, not executable, a bad cwd. */
export function notStarted(spec: CommandSpec, error: { code?: string | undefined; message: string }): Outcome {
  const message = error.code === 'ENOENT'
    ? `command not found: ${spec.command} (${error.message})`
    : `cannot run ${spec.command}: ${error.message}`
  return { exitCode: null, signal: null, error: serializeError(Object.assign(new Error(message), { code: error.code })) }
}

export function maxBufferError(spec: CommandSpec): SerializedError {
  return jobError(MaxBufferError,
    `${spec.command} wrote more than maxBuffer (${spec.maxBuffer} bytes) to one stream; it was stopped and its output cut there`)
}
