// The chunk runner's loop under a map() timeout (per item; see progress.ts). Loaded only then, so a
// map without a timeout runs chunk-worker.ts's own loop and pays nothing for it.
//
// Finished results go to the chunk's file in frames at most every FLUSH_MS (one write per item
// would cost several µs; one per 5 ms costs under 1%). So when an item blocks its process or thread, the parent
// has all results but those of the last few ms, and knows the hang is at or after its count; it
// runs those items again as a careful chunk, which reports before every item, to find which one
// it was. An item that returns a promise is timed here instead, exactly: past the timeout it is
// timed out, its promise left behind, and the chunk answers at once.

import { closeSync, openSync, writeSync } from 'node:fs'
import { serialize } from 'node:v8'
import { AbortError, jobError } from '../errors.js'
import { serializeError } from '../util/serialize-error.js'
import { isThenable, recordThrow, recordValue } from './item-outcome.js'
import type { CallContext } from '../worker-file/call.js'
import type { WorkerContext, WorkerFunction } from '../types.js'
import type { ChunkOrder, ChunkReply } from './types.js'
import type { ProgressFrame } from './progress.js'
import { FLUSH_MS } from './flush.js'

/** Appends a frame: done when writeSync returns, whatever the worker function does next. */
function send(fd: number, frame: ProgressFrame): void {
  const body = serialize(frame)
  const head = Buffer.allocUnsafe(4)
  head.writeUInt32BE(body.length)
  writeSync(fd, Buffer.concat([head, body]))
}

const TIMED_OUT = Symbol('timed out')

export async function runReporting(fn: WorkerFunction, order: ChunkOrder, ctx: WorkerContext): Promise<ChunkReply> {
  const { items, progress } = order
  const { file, timeoutMs, careful } = progress!
  const fd = openSync(file, 'a')
  try {
    send(fd, [0, [], []])
    return await runItems(fn, items, ctx, fd, timeoutMs, careful)
  } finally {
    closeSync(fd)
  }
}

async function runItems(
  fn: WorkerFunction, items: unknown[], ctx: WorkerContext, fd: number, timeoutMs: number, careful: boolean
): Promise<ChunkReply> {
  const data: unknown[] = []
  const failures: ChunkReply['failures'] = []
  const started = performance.now()
  let sent = 0
  let sentFailures = 0
  let sentAt = started
  const reply: ChunkReply = { data, failures, ms: 0 }
  for (let i = 0; i < items.length; i++) {
    const now = performance.now()
    if (i > sent && (careful || now - sentAt >= FLUSH_MS)) {
      send(fd, [sent, data.slice(sent), failures.slice(sentFailures)])
      sent = i
      sentFailures = failures.length
      sentAt = now
    }
    try {
      let value = fn(items[i], ctx)
      if (isThenable(value)) {
        value = await withTimeout(value, timeoutMs)
        if (value === TIMED_OUT) {
          data.push(undefined)
          failures.push([i, 1, jobError(AbortError, `the item ran past the map's timeout (${timeoutMs} ms)`)])
          reply.timedOutAt = i
          // A worker function that listens stops now; one that does not is left behind, its result unread.
          ;(ctx as CallContext).abort(new AbortError(`job ${JSON.stringify(ctx.ident)}: an item ran past the map's timeout`))
          break
        }
      }
      recordValue(reply, i, value)
    } catch (error) {
      recordThrow(reply, i, error)
    }
    if ((ctx as CallContext).listening && ctx.signal.aborted) {
      reply.stoppedAt = i
      const stopped = serializeError(ctx.signal.reason)
      for (let rest = i + 1; rest < items.length; rest++) failures.push([rest, 1, stopped])
      break
    }
  }
  reply.ms = performance.now() - started
  return reply
}

function withTimeout(value: PromiseLike<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, ms, TIMED_OUT)))
  // Left behind past the timeout, its rejection must not go unhandled.
  Promise.resolve(value).catch(() => {})
  return Promise.race([value, late]).finally(() => clearTimeout(timer))
}
