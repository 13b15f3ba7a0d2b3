// Errors as plain data: they cross process and thread boundaries inside a JobResult.

import type { SerializedError } from './types.js'

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message }
    if (error.stack !== undefined) out.stack = error.stack
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') out.code = code
    return out
  }
  return { name: 'Error', message: `non-error thrown: ${String(error)}` }
}
