// An error as plain data, the form in which errors cross process and thread boundaries inside a
// JobResult (SerializedError), and back: what every runner and the map engine use to report a
// throw. The error classes themselves are in lib/errors.ts.

import type { SerializedError } from '../types.js'
import { describe } from './describe.js'

/** How many causes deep serializeError follows a chain; past it (or round a cycle) the chain ends. */
export const CAUSE_DEPTH = 8

/**
 * An error as the plain data a JobResult carries across processes and threads: its name, message,
 * stack, string code, and its `cause` (an Error's serialized the same way, CAUSE_DEPTH deep at
 * most; any other value as a structured clone of it, or described when it cannot be cloned).
 */
export function serializeError(error: unknown): SerializedError {
  return serialize(error, 0)
}

function serialize(error: unknown, depth: number): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message }
    if (error.stack !== undefined) out.stack = error.stack
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') out.code = code
    if (error.cause !== undefined && depth < CAUSE_DEPTH) out.cause = serializeCause(error.cause, depth + 1)
    return out
  }
  return { name: 'Error', message: `non-error thrown: ${String(error)}` }
}

function serializeCause(cause: unknown, depth: number): unknown {
  if (cause instanceof Error) return serialize(cause, depth)
  if (cause === null || (typeof cause !== 'object' && typeof cause !== 'function' && typeof cause !== 'symbol')) return cause
  try {
    return structuredClone(cause)
  } catch {
    return describe(cause)
  }
}

/**
 * A serialized cause made an error again, where a SerializedError becomes a thrown error (map()'s
 * WorkerLoadError): an Error with the name, message, stack, code and (revived in turn) cause it
 * had; any other value as it is.
 */
export function reviveCause(cause: unknown): unknown {
  if (typeof cause !== 'object' || cause === null) return cause
  const { name, message, stack, code, cause: inner } = cause as Partial<SerializedError>
  if (typeof name !== 'string' || typeof message !== 'string') return cause
  const error = inner === undefined ? new Error(message) : new Error(message, { cause: reviveCause(inner) })
  Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true })
  if (stack !== undefined) error.stack = stack
  if (code !== undefined) Object.assign(error, { code })
  return error
}
