// One batch of a map(): a chunk of items sent to the chunk runner as one worker job, or one item
// as its own job, turned into per-item results.

import type { ChunkOrder, ChunkReply } from './chunk-worker.js'
import { serializeError, WorkerLoadError } from '../errors.js'
import { DataTooLargeError } from '../runners/backend.js'
import type { Batch, MapHost, MapPlan, MapResult } from './types.js'
import type { JobResult, SerializedError, StartOptions, WorkerJob } from '../types.js'

/** The worker file map() sends chunks to (chunk-worker.ts): the real worker file is in the chunk's data (ChunkOrder.url). */
export const CHUNK_WORKER = new URL('./chunk-worker.js', import.meta.url).href

/**
 * Runs items [first, first + items.length) and resolves with their results; never rejects. A chunk
 * of several items that the backend refused for its size resolves with the refusal instead: the
 * map gives its items back to be sent in smaller chunks. A chunk whose worker file could not load
 * resolves with that WorkerLoadError: it is no item's failure, and the map stops on it.
 */
export async function runBatch<I>(host: MapHost, plan: MapPlan<I>, first: number, items: I[], signal: AbortSignal): Promise<Batch<I> | DataTooLargeError | WorkerLoadError> {
  const { worker, makeJob, ident } = plan
  const options: StartOptions = { ...plan.start, signal }
  if (worker === undefined) {
    const item = items[0]!
    try {
      const handle = await host.start(`${ident}[${first}]`, makeJob!(item, first), options)
      return [itemResult(first, item, await handle.result)]
    } catch (error) {
      return [failedItem(first, item, serializeError(error))]
    }
  }
  const chunk: WorkerJob = { worker: CHUNK_WORKER, data: { url: worker.url, items } satisfies ChunkOrder, isolation: worker.isolation, execArgv: worker.execArgv }
  if (worker.cwd !== undefined) chunk.cwd = worker.cwd
  if (worker.env !== undefined) chunk.env = worker.env
  let result: JobResult
  try {
    result = await (await host.start(`${ident}[${first}..${first + items.length - 1}]`, chunk, options)).result
  } catch (error) {
    if (error instanceof DataTooLargeError && items.length > 1) return error
    return items.map((item, i) => failedItem(first + i, item, serializeError(error)))
  }
  if (result.error?.code === WorkerLoadError.code) return revived(result.error)
  // No chunk reply (the chunk crashed, threw or was killed): every item carries the chunk's result.
  if (result.exitCode !== 0 || result.error !== null) return items.map((item, i) => itemResult(first + i, item, result))
  const reply = result.data as ChunkReply
  plan.sizer.measured(items.length, reply.ms)
  const batch: Batch<I> = new Array(items.length)
  for (let i = 0; i < items.length; i++) {
    batch[i] = { index: first + i, item: items[i]!, ok: true, data: reply.data[i], exitCode: 0, signal: null, error: null, timedOut: false, cancelled: false }
  }
  for (const [i, exitCode, error] of reply.failures) Object.assign(batch[i]!, { ok: false, exitCode, error })
  // The stop reached these items: they carry the chunk's reason.
  for (let i = reply.stoppedAt ?? items.length; i < items.length; i++) Object.assign(batch[i]!, { ok: false, timedOut: result.timedOut, cancelled: result.cancelled })
  return batch
}

function itemResult<I>(index: number, item: I, r: JobResult): MapResult<unknown, I> {
  const out: MapResult<unknown, I> = {
    index,
    item,
    ok: r.ok,
    data: r.data,
    exitCode: r.exitCode,
    signal: r.signal,
    error: r.error,
    timedOut: r.timedOut,
    cancelled: r.cancelled,
  }
  if (r.stdout !== undefined) out.stdout = r.stdout
  if (r.stderr !== undefined) out.stderr = r.stderr
  return out
}

/** An item whose job could not even start (a job function that threw, a manager already closed). */
function failedItem<I>(index: number, item: I, error: SerializedError): MapResult<unknown, I> {
  return { index, item, ok: false, data: undefined, exitCode: null, signal: null, error, timedOut: false, cancelled: false }
}

/** The WorkerLoadError a chunk's result carries, as an error again, with the stack the worker side gave it. */
function revived(error: SerializedError): WorkerLoadError {
  const out = new WorkerLoadError(error.message)
  if (error.stack !== undefined) out.stack = error.stack
  return out
}
