// One batch of a map(): a chunk of items sent to the chunk runner as one worker job, or one item
// as its own job, turned into per-item results.

import { DataTooLargeError, WorkerLoadError } from '../errors.js'
import { reviveCause, serializeError } from '../util/serialize-error.js'
import type { Batch, ChunkOrder, ChunkReply, MapHost, MapPlan, MapResult } from './types.js'
import type { WorkerSpec } from '../runners/spec.js'
import { FLUSH_MS } from './flush.js'
import type { ProgressFiles } from './progress.js'
import { AbortError, jobError } from '../errors.js'
import type { JobHandle } from '../types.js'
import type { JobResult, SerializedError, StartOptions, WorkerJob } from '../types.js'

/** The worker file map() sends chunks to (chunk-worker.ts): the real worker file is in the chunk's data (ChunkOrder.url). */
export const CHUNK_WORKER_FILE = new URL('./chunk-worker.js', import.meta.url).href

/**
 * Runs items [first, first + items.length) and resolves with their results; never rejects. A chunk
 * of several items that the backend refused for its size resolves with the refusal instead: the
 * map gives its items back to be sent in smaller chunks. A chunk whose worker file could not load
 * resolves with that WorkerLoadError: it is no item's failure, and the map stops on it.
 */
export async function runBatch<I>(
  host: MapHost, plan: MapPlan<I>, first: number, items: I[], signal: AbortSignal, timing?: ChunkTiming
): Promise<Batch<I> | DataTooLargeError | WorkerLoadError | Rerun<I>> {
  const { workerJob, makeJob, ident } = plan
  const options: StartOptions = { ...plan.start, signal }
  if (workerJob === undefined) {
    const item = items[0]!
    try {
      const handle = await host.start(`${ident}[${first}]`, makeJob!(item, first), options)
      return [itemResult(first, item, await handle.result)]
    } catch (error) {
      return [failedItem(first, item, serializeError(error))]
    }
  }
  if (timing !== undefined) return runTimedChunk(host, plan, first, items, signal, timing)
  const chunk = chunkJob(workerJob, { url: workerJob.url, items })
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
  return replyBatch(first, items, reply, result)
}

/** The job that runs a chunk: the chunk worker file, with the map's worker job's isolation and process options. */
export function chunkJob(workerJob: WorkerSpec, order: ChunkOrder): WorkerJob {
  const chunk: WorkerJob = { worker: CHUNK_WORKER_FILE, data: order, isolation: workerJob.isolation, execArgv: workerJob.execArgv }
  if (workerJob.cwd !== undefined) chunk.cwd = workerJob.cwd
  if (workerJob.env !== undefined) chunk.env = workerJob.env
  return chunk
}

/** A chunk's items from its reply. */
export function replyBatch<I>(first: number, items: I[], reply: ChunkReply, result: JobResult): Batch<I> {
  const batch = finishedBatch(first, items, items.length, reply.data, reply.failures)
  // The stop reached these items: they carry the chunk's reason.
  for (let i = reply.stoppedAt ?? items.length; i < items.length; i++) {
    Object.assign(batch[i]!, {
      ok: false, timedOut: result.timedOut, cancelled: result.cancelled,
    })
  }
  return batch
}

/** Results of items [0, count) of a chunk, from their data and their failures. */
export function finishedBatch<I>(first: number, items: I[], count: number, data: unknown[], failures: ChunkReply['failures']): Batch<I> {
  const batch: Batch<I> = new Array<Batch<I>[number]>(count)
  for (let i = 0; i < count; i++) {
    batch[i] = {
      index: first + i, item: items[i]!, ok: true, data: data[i], exitCode: 0, signal: null, error: null, timedOut: false, cancelled: false,
    }
  }
  for (const [i, exitCode, error] of failures) Object.assign(batch[i]!, { ok: false, exitCode, error })
  return batch
}

export function itemResult<I>(index: number, item: I, r: JobResult): MapResult<unknown, I> {
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
export function failedItem<I>(index: number, item: I, error: SerializedError): MapResult<unknown, I> {
  return { index, item, ok: false, data: undefined, exitCode: null, signal: null, error, timedOut: false, cancelled: false }
}

/** The WorkerLoadError a chunk's result carries, as an error again, with the stack and cause the child side gave it. */
export function revived(error: SerializedError): WorkerLoadError {
  const out = new WorkerLoadError(error.message, error.cause === undefined ? undefined : { cause: reviveCause(error.cause) })
  if (error.stack !== undefined) out.stack = error.stack
  return out
}

/** A chunk under a map() timeout: the map's progress files, and whether to report before every item. */
export interface ChunkTiming {
  files: ProgressFiles
  timeoutMs: number
  careful: boolean
}

/**
 * Part of a chunk under a map() timeout that the engine sends again: `batch` holds the results it
 * has, `items` (from index `first`) never ran, or (`careful`) ran where a worker function blocked without
 * saying which item it blocked on: they run again as a careful chunk, which says.
 */
export class Rerun<I> {
  constructor(readonly batch: Batch<I>, readonly first: number, readonly items: I[], readonly careful: boolean) {}
}

/** Starting the process or thread and loading the worker file is not an item's time: it gets this long more. */
const LOAD_ALLOWANCE_MS = 10_000
/** Past the timeout, what the watch waits more: its own period, and a promise the chunk times itself. */
const SLACK_MS = 50
const WATCH_MS = 100

/**
 * A chunk whose timeout is per item: it has none as a job; the chunk reports as it goes, and a
 * chunk that reports nothing for longer than the timeout is stopped. Its finished items keep their
 * results, the item it was on is timed out, and the items after it run again in another chunk.
 */
async function runTimedChunk<I>(
  host: MapHost, plan: MapPlan<I>, first: number, items: I[], signal: AbortSignal, timing: ChunkTiming
): Promise<Batch<I> | WorkerLoadError | Rerun<I>> {
  const { files, timeoutMs, careful } = timing
  const file = files.open()
  try {
    let handle: JobHandle
    try {
      const job = chunkJob(plan.workerJob!, { url: plan.workerJob!.url, items, progress: { file: file.path, timeoutMs, careful } })
      handle = await host.start(`${plan.ident}[${first}..${first + items.length - 1}]`, job, { signal })
    } catch (error) {
      return items.map((item, i) => failedItem(first + i, item, serializeError(error)))
    }
    // Until its first frame (the worker file loaded) the chunk has LOAD_ALLOWANCE_MS more.
    let lastAt = performance.now() + LOAD_ALLOWANCE_MS
    let tripped = false
    const period = Math.min(WATCH_MS, Math.max(5, timeoutMs / 4))
    const watch = setInterval(() => {
      const now = performance.now()
      if (file.grew()) lastAt = now
      if (now - lastAt <= timeoutMs + FLUSH_MS + period + SLACK_MS) return
      tripped = true
      clearInterval(watch)
      handle.cancel('an item ran past the map timeout')
    }, period)
    const result = await handle.result
    clearInterval(watch)
    if (result.error?.code === WorkerLoadError.code) return revived(result.error)
    const timedOut = (r: MapResult<unknown, I>): MapResult<unknown, I> =>
      Object.assign(r, {
        ok: false, timedOut: true, cancelled: false,
        error: r.error ?? jobError(AbortError, `the item ran past the map's timeout (${timeoutMs} ms) and its worker was stopped`),
      })
    if (result.exitCode === 0 && result.error === null) {
      const reply = result.data as ChunkReply
      const batch = replyBatch(first, items, reply, result)
      const at = reply.timedOutAt ?? (tripped ? reply.stoppedAt : undefined)
      if (at === undefined) {
        plan.sizer.measured(items.length, reply.ms)
        return batch
      }
      timedOut(batch[at]!)
      return new Rerun(batch.slice(0, at + 1), first + at + 1, items.slice(at + 1), false)
    }
    // Crashed, or stopped by a cancel: as any chunk.
    if (!tripped) return items.map((item, i) => itemResult(first + i, item, result))
    // It blocked on an item and was killed: what it reported survives.
    const { done, data, failures } = file.read()
    const batch = finishedBatch(first, items, done, data, failures)
    if (!careful) return new Rerun(batch, first + done, items.slice(done), true)
    // The careful chunk reported before every item: the first it did not finish is the one it blocked on.
    const hung = items.slice(done, done + 1).map((item) => timedOut({ ...itemResult(first + done, item, result), error: null }))
    return new Rerun([...batch, ...hung], first + done + 1, items.slice(done + 1), false)
  } finally {
    file.close()
  }
}
