// What a map() call asked for, checked and settled once, before any item is read: its options,
// its worker job (or the function that makes a job per item), how its chunks are sized and how
// its timeout applies (per item, or per chunk).

import { ChunkSizer, type ChunkShape } from './chunk-sizer.js'
import { JOB_KEYS, normalizeJob, type WorkerSpec } from '../runners/spec.js'
import { parseDuration } from '../primitives/duration.js'
import { ItemSource, type Items } from './source.js'
import type { MapHost, MapJob, MapOptions, MapPlan } from './types.js'
import {
  elsewhere, invalidType, optionKeys, outOfRange,
  validateAbortSignal, validateBoolean, validateFunction, validateInteger, validateOptions, validateString,
} from '../util/validate.js'

const MAP_KEYS = optionKeys<MapOptions>({
  ordered: true, chunkSize: true, concurrency: true, onProgress: true, signal: true, timeout: true, ident: true,
})
/** A job's keys given as map() options, `map(items, job, { isolation: 'thread' })`; not data, which the items are. */
const CHUNK_SIZE_EXPECTED = `'auto' or a whole number >= 1`
const MAP_ELSEWHERE = elsewhere([...JOB_KEYS].filter((key) => key !== 'data'), (key) => `the job's ${key}`)

/** `shape`: how the manager's backend wants auto chunks, when it has one. */
export function mapPlan<I>(
  host: MapHost, items: Items<I>, job: MapJob<I>, options: MapOptions | undefined, shape: ChunkShape | undefined
): MapPlan<I> {
  const checked = validateOptions(options, 'map()', MAP_KEYS, { elsewhere: MAP_ELSEWHERE })
  const { ordered = false, chunkSize = 'auto', onProgress, signal, timeout, ident = 'map' } = checked
  const { concurrency = Math.max(1, host.maxProcs) } = checked
  validateBoolean(ordered, 'map() ordered')
  // A string other than 'auto' is of a type chunkSize takes: out of range, as a number below 1 is.
  if (typeof chunkSize !== 'number' && typeof chunkSize !== 'string') throw invalidType('map() chunkSize', CHUNK_SIZE_EXPECTED, chunkSize)
  if (chunkSize !== 'auto' && !(Number.isInteger(chunkSize) && chunkSize >= 1)) {
    throw outOfRange('map() chunkSize', CHUNK_SIZE_EXPECTED, chunkSize)
  }
  validateInteger(concurrency, 'map() concurrency', 1)
  if (onProgress !== undefined) validateFunction(onProgress, 'map() onProgress')
  validateAbortSignal(signal, 'map() signal')
  validateString(ident, 'map() ident')
  let workerJob: WorkerSpec | undefined
  if (typeof job !== 'function') {
    if (typeof job === 'object' && job !== null && 'data' in job) {
      throw new TypeError('map() sends each item as the worker\'s data: leave job.data out')
    }
    const spec = normalizeJob(job)
    if (spec.type === 'command') throw new TypeError('map() takes a worker job, or a function (item, index) => job for commands')
    workerJob = spec
  }
  // Per item: a chunk of worker jobs run here reports as it goes (batch.ts, runTimedChunk). Through
  // a backend, or inline (where a blocked item blocks this process too), the chunk's own timeout.
  const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout, 'map() timeout')
  const perItem = timeoutMs !== undefined && timeoutMs !== Infinity && workerJob !== undefined && shape === undefined && host.maxProcs > 0
  return {
    source: new ItemSource(items),
    workerJob,
    makeJob: typeof job === 'function' ? job : undefined,
    // One item per job when each item is its own job.
    sizer: new ChunkSizer(workerJob === undefined ? 1 : chunkSize === 'auto' ? undefined : chunkSize, shape),
    ordered,
    concurrency,
    onProgress,
    signal,
    start: timeout === undefined || perItem ? {} : { timeout },
    itemTimeoutMs: perItem ? timeoutMs : undefined,
    ident,
    // Jobs sent through a backend run elsewhere: the file need not be here.
    local: shape === undefined,
    given: typeof job === 'function' ? undefined : job.worker,
  }
}
