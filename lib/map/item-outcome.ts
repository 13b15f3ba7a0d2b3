// What one item of a chunk came to, written into the chunk's reply: the same for chunk-worker.ts's
// loop and chunk-reporting.ts's (under a timeout), so an item ends alike in both.

import { serializeError } from '../util/serialize-error.js'
import { isFinish } from '../worker-file/finish.js'
import type { ChunkReply } from './types.js'

/** An item returned `value`: its data, and, for a finish() mark with a non-zero code, a failure. */
export function recordValue(reply: ChunkReply, i: number, value: unknown): void {
  if (isFinish(value)) {
    reply.data.push(value.data)
    if (value.exitCode !== 0) reply.failures.push([i, value.exitCode, null])
  } else {
    reply.data.push(value)
  }
}

/** An item threw `error`: finish() ends an item by throwing its mark, which is its code and data, not a failure. */
export function recordThrow(reply: ChunkReply, i: number, error: unknown): void {
  if (isFinish(error)) {
    recordValue(reply, i, error)
  } else {
    reply.data.push(undefined)
    reply.failures.push([i, 1, serializeError(error)])
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
