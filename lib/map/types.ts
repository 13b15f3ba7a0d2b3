// The shapes of map(): its options, its per-item results, and what it needs of the manager.

import type { ChunkSizer } from './chunk-sizer.js'
import type { WorkerSpec } from '../runners/spec.js'
import type { ItemSource } from './source.js'
import type { Duration, JobHandle, JobSpec, SerializedError, SignalName, StartOptions, WorkerJob } from '../types.js'

/** map()'s third argument. */
export interface MapOptions {
  /** Results in input order. Default false: in completion order. */
  ordered?: boolean
  /**
   * Items per chunk for a worker job: a number, or 'auto' (default), sized to ~50 ms of work per chunk (~500 ms with redisBackend(): see
   * Backend.chunkTargetMs). Job functions always run one item per job.
   */
  chunkSize?: number | 'auto'
  /** Chunks (or jobs) in flight at once. Default: the manager's maxProcs (1 in the serial mode). The cap still applies. */
  concurrency?: number
  /** Called after each chunk with the items done so far and the total when the input says it (an array's length, a Set's size). */
  onProgress?: (done: number, total: number | undefined) => void
  /** Aborting it stops the map: nothing more is pulled, running chunks are cancelled, and the results end after theirs. */
  signal?: AbortSignal
  /**
   * The timeout of each item: only the item that runs longer is timed out (docs/map.md, Timeouts). Through a backend, in the serial mode
   * and with a job function: of each chunk or job. Default: the manager's timeout, per chunk.
   */
  timeout?: Duration
  /** The prefix of the chunk jobs' idents, which runOnStart / runOnFinish see: `${ident}[first..last]`. Default 'map'. */
  ident?: string
}

/**
 * One item's result. Fields mean what they mean in a JobResult; an item of a chunk that failed as a whole (crash, timeout, cancel) carries
 * that chunk's.
 */
export interface MapResult<T = unknown, I = unknown> {
  /** The item's position in the input. */
  index: number
  /** The item itself. */
  item: I
  /** As JobResult.ok: exit code 0, no error, neither timed out nor cancelled. */
  ok: boolean
  /** What the worker function returned (or passed to finish); undefined when it threw. */
  data: T | undefined
  /** The item's exit code: 0, `finish(code)`'s code, 1 for a throw, or its chunk's when the chunk failed as a whole. */
  exitCode: number | null
  /** The signal that ended the item's chunk (or job), or null. */
  signal: SignalName | null
  /** Why the item failed, when not (only) by its exit code. */
  error: SerializedError | null
  /** True when the timeout reached the item (docs/map.md, Timeouts). */
  timedOut: boolean
  /** True when a cancel (`break`, the map's signal, shutdown) reached the item. */
  cancelled: boolean
  /** With a job function that returns a command with capture: true. */
  stdout?: string
  /** With a job function that returns a command with capture: true. */
  stderr?: string
}

/** The data of a chunk job: the real worker file and the items, each called as that worker function's data. */
export interface ChunkOrder {
  url: string
  items: unknown[]
  /** With a map() timeout: where and how the chunk reports its progress (progress.ts). */
  progress?: ProgressOrder
}

/** A chunk's part of a map's progress reports. */
export interface ProgressOrder {
  /** The chunk's progress file (progress.ts). */
  file: string
  /** The map's timeout: an item that returns a promise is timed out in the chunk past it. */
  timeoutMs: number
  /** Report before every item (a chunk that runs again the items where a worker function blocked). */
  careful: boolean
}

/** A chunk's answer. Items that ended with exit code 0 and no error are only in `data`, which keeps the reply small. */
export interface ChunkReply {
  /**
   * Per item, in order: what the worker function returned (or passed to finish), undefined for a throw; shorter than the chunk when it was
   * stopped (see stoppedAt).
   */
  data: unknown[]
  /** The other items: [position in the chunk, exit code, error or null]. */
  failures: Array<[number, number, SerializedError | null]>
  /** Milliseconds spent calling the worker function, which auto-chunking sizes the next chunks by. */
  ms: number
  /** When the chunk was stopped (timeout, cancel) and the worker function listened: the item it reached. Later items never ran. */
  stoppedAt?: number
  /** Under a map() timeout: the item whose promise ran past it. Later items never ran. */
  timedOutAt?: number
}

/** What map() returns: iterate it once (`for await`), or collect it with all(). Nothing runs until then. */
export interface MapRun<T = unknown, I = unknown> extends AsyncIterable<MapResult<T, I>> {
  /** Runs the whole map and resolves with every result in input order. */
  all(): Promise<Array<MapResult<T, I>>>
}

/** What map needs of the manager. */
export interface MapHost {
  readonly maxProcs: number
  start(ident: string, job: JobSpec, options?: StartOptions): Promise<JobHandle>
}

/** A worker job without data (each item is the data), or a function making each item's job. */
export type MapJob<I> = Omit<WorkerJob, 'data'> | ((item: I, index: number) => JobSpec)

/** Results of consecutive items, as one chunk (or job) produced them. */
export type Batch<I> = Array<MapResult<unknown, I>>

/** A map() call, checked: what the engine and the batch runner work from. */
export interface MapPlan<I> {
  source: ItemSource<I>
  workerJob: WorkerSpec | undefined
  makeJob: ((item: I, index: number) => JobSpec) | undefined
  sizer: ChunkSizer
  ordered: boolean
  concurrency: number
  onProgress: MapOptions['onProgress']
  signal: AbortSignal | undefined
  start: StartOptions
  ident: string
  /** The map's timeout when it applies per item (chunks reporting as they go); undefined: per chunk or job, or none. */
  itemTimeoutMs: number | undefined
  /** True when jobs run on this machine (no backend): map() then checks that the worker file exists. */
  local: boolean
  /** The job's `worker` as the caller gave it, to say how it was resolved. */
  given: unknown
}
