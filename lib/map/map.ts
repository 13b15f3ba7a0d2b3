// map(): a batch of items through a worker file (in chunks) or through one job per item, with results
// as an async iterable. Backpressure: items are pulled only while fewer than a bounded number
// are waiting for the consumer, however long (or endless) the input.

import type { ChunkShape } from './chunk-sizer.js'
import { mapPlan } from './plan.js'
import { Rerun, runBatch, type ChunkTiming } from './batch.js'
import { ProgressFiles } from './progress.js'
import type { Items, Taken } from './source.js'
import type { Batch, MapHost, MapJob, MapOptions, MapPlan, MapResult, MapRun } from './types.js'
import { setMaxListeners } from 'node:events'
import { CALLBACK_WARNING, DataTooLargeError, emitForkpoolWarning, WorkerLoadError } from '../errors.js'
import { missingWorkerFile } from '../worker-file/missing-file.js'

/** `shape`: how the manager's backend wants auto chunks, when it has one (a queue hop: longer, and more items). */
export function mapItems<T, I>(host: MapHost, items: Items<I>, job: MapJob<I>, options?: MapOptions, shape?: ChunkShape): MapRun<T, I> {
  const plan = mapPlan(host, items, job, options, shape)
  let used = false
  const claim = (): MapEngine<I> => {
    if (used) throw new Error('a map() run can be iterated (or collected with all()) only once')
    used = true
    return new MapEngine(host, plan)
  }
  return {
    [Symbol.asyncIterator]: () => claim().iterator() as AsyncIterator<MapResult<T, I>>,
    all: async () => (await claim().all()) as Array<MapResult<T, I>>,
  }
}

class MapEngine<I> {
  readonly #host: MapHost
  readonly #plan: MapPlan<I>
  /** Aborted to stop the map; every chunk in flight listens to it (see its constructor). */
  readonly #stop = new AbortController()
  /** Finished batches the consumer has not taken: in completion order, or by first index when ordered. */
  readonly #ready: Array<Batch<I>> = []
  readonly #byIndex = new Map<number, Batch<I>>()
  #nextIndex = 0
  /** Items pulled from the input whose results the consumer has not taken yet. */
  #outstanding = 0
  #done = 0
  #lanes = 0
  #failure: { error: unknown } | undefined
  readonly #wakeConsumers: Array<() => void> = []
  #wakeLanes: Array<() => void> = []
  readonly #running = new Set<Promise<unknown>>()
  /** With a per-item timeout: the folder of the files the chunks report in, for the length of the run. */
  #progress: ProgressFiles | undefined

  constructor(host: MapHost, plan: MapPlan<I>) {
    this.#host = host
    this.#plan = plan
    // One listener per chunk in flight, as many as `concurrency`: past Node's default of 10 that
    // is this design, not a leak, and the MaxListenersExceededWarning would only alarm the user.
    setMaxListeners(plan.concurrency + 1, this.#stop.signal)
    // A worker file that is not there: the map ends with that error before any job starts.
    const missing = plan.workerJob !== undefined && plan.local ? missingWorkerFile(plan.workerJob.url, plan.given) : undefined
    if (missing !== undefined) {
      this.#failure = { error: missing }
      plan.source.close()
      return
    }
    if (plan.itemTimeoutMs !== undefined) this.#progress = new ProgressFiles()
    const { signal } = plan
    if (signal !== undefined) {
      const onAbort = (): void => this.#halt(signal.reason)
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    }
    for (let i = 0; i < plan.concurrency; i++) void this.#lane()
  }

  /** At most this many items are pulled but not yet taken by the consumer: room for two rounds of chunks. */
  get #window(): number {
    return 2 * this.#plan.concurrency * this.#plan.sizer.max
  }

  async all(): Promise<Batch<I>> {
    const out: Batch<I> = []
    for (let batch = await this.#nextBatch(); batch !== undefined; batch = await this.#nextBatch()) {
      this.#taken(batch.length)
      for (const result of batch) out[result.index] = result
    }
    return out
  }

  iterator(): AsyncIterator<MapResult<unknown, I>> {
    let batch: Batch<I> = []
    let at = 0
    let finished = false
    // Callers that overlap (next() before the last one settled) wait for one fetch, not each their own.
    let fetching: Promise<unknown> | undefined
    const done = { done: true, value: undefined } as const
    return {
      next: async () => {
        while (at === batch.length) {
          if (finished) return done
          if (fetching !== undefined) {
            await fetching
            continue
          }
          fetching = this.#nextBatch().then((next) => {
            if (next === undefined) finished = true
            else [batch, at] = [next, 0]
          }).finally(() => (fetching = undefined))
          await fetching
        }
        this.#taken(1)
        return { done: false, value: batch[at++]! }
      },
      return: async () => {
        this.#halt('the consumer stopped iterating map() results')
        await Promise.all(this.#running)
        return done
      },
    }
  }

  /** Stops pulling and cancels running chunks; their results still arrive. */
  #halt(reason: unknown): void {
    this.#plan.source.close()
    this.#stop.abort(reason)
    this.#wake()
    this.#resumeLanes()
  }

  #taken(n: number): void {
    this.#outstanding -= n
    this.#resumeLanes()
  }

  /** Wakes the lanes waiting for room in the window. */
  #resumeLanes(): void {
    if (this.#wakeLanes.length > 0) for (const wake of this.#wakeLanes.splice(0)) wake()
  }

  async #nextBatch(): Promise<Batch<I> | undefined> {
    for (;;) {
      const batch = this.#plan.ordered ? this.#byIndex.get(this.#nextIndex) : this.#ready.shift()
      if (batch !== undefined) {
        if (this.#plan.ordered) {
          this.#byIndex.delete(this.#nextIndex)
          this.#nextIndex += batch.length
        }
        return batch
      }
      if (this.#lanes === 0) {
        if (this.#failure) throw this.#failure.error
        return undefined
      }
      await new Promise<void>((resolve) => this.#wakeConsumers.push(resolve))
    }
  }

  #wake(): void {
    for (const wake of this.#wakeConsumers.splice(0)) wake()
  }

  async #lane(): Promise<void> {
    this.#lanes++
    try {
      const { source, sizer } = this.#plan
      for (;;) {
        // Items given back are already counted in #outstanding: they are taken past a full window,
        // or an ordered map whose next result they hold would wait for them forever.
        while (!source.holdsGivenBack && this.#outstanding + sizer.size > this.#window && !this.#stop.signal.aborted) {
          await new Promise<void>((resolve) => this.#wakeLanes.push(resolve))
        }
        // A stop closes the source; what was given back still runs, and is delivered as stopped.
        if (source.done) return
        const size = sizer.size
        this.#outstanding += size
        const taken = await source.take(size, sizer.targetMs)
        const { first, items } = taken
        this.#outstanding -= taken.givenBack ? size : size - items.length
        if (items.length === 0) return
        const timing: ChunkTiming | undefined = this.#progress && {
          files: this.#progress, timeoutMs: this.#plan.itemTimeoutMs!, careful: taken.careful === true,
        }
        const running = runBatch(this.#host, this.#plan, first, items, this.#stop.signal, timing)
        this.#running.add(running)
        const batch = await running
        this.#running.delete(running)
        if (batch instanceof DataTooLargeError) this.#giveBack(taken, batch)
        else if (batch instanceof WorkerLoadError) this.#loadFailed(batch)
        else if (batch instanceof Rerun) this.#rerun(batch)
        else this.#deliver(first, batch)
      }
    } catch (error) {
      // The input failed (and is done): the other lanes finish and deliver what they run, then the consumer gets the error.
      this.#failure ??= { error }
    } finally {
      this.#lanes--
      if (this.#lanes === 0) this.#progress?.close()
      this.#wake()
    }
  }

  /**
   * A chunk the backend refused for its size goes back to the source in smaller pieces, for any
   * lane to take: the lanes stay busy, where one lane sending them one by one would hold them all
   * (lanes that found the input done have ended: as many start again).
   * A chunk fresh from the input teaches the sizer how many items fit; a piece refused again holds
   * uneven items, and only it is halved, so one big item does not shrink every later chunk.
   */
  #giveBack({ first, items, givenBack }: Taken<I>, refused: DataTooLargeError): void {
    const half = Math.ceil(items.length / 2)
    const piece = givenBack ? half : Math.min(this.#plan.sizer.tooBig(items.length, refused.bytes, refused.limit), half)
    this.#plan.source.giveBack(first, items, piece)
    this.#resumeLanes()
    for (let lane = this.#lanes; lane < this.#plan.concurrency; lane++) void this.#lane()
  }

  /**
   * Under a per-item timeout, a chunk that was stopped: its results so far, and its items to run
   * again (those that never ran, or a careful chunk to find where a worker function blocked), for any lane.
   */
  #rerun({ batch, first, items, careful }: Rerun<I>): void {
    if (batch.length > 0) this.#deliver(batch[0]!.index, batch)
    if (items.length === 0) return
    this.#plan.source.giveBack(first, items, careful ? items.length : this.#plan.sizer.size, careful)
    this.#resumeLanes()
    for (let lane = this.#lanes; lane < this.#plan.concurrency; lane++) void this.#lane()
  }

  /**
   * The worker file cannot load: every chunk would fail alike, so no more items are read or sent.
   * The chunks running finish (each fails to load as fast, or, for a file that changed, runs), and
   * after the results delivered so far the consumer gets the error.
   */
  #loadFailed(error: WorkerLoadError): void {
    this.#failure ??= { error }
    this.#plan.source.close()
    this.#resumeLanes()
  }

  #deliver(first: number, batch: Batch<I>): void {
    if (this.#plan.ordered) this.#byIndex.set(first, batch)
    else this.#ready.push(batch)
    this.#done += batch.length
    const { onProgress, source } = this.#plan
    if (onProgress !== undefined) {
      try {
        onProgress(this.#done, source.total)
      } catch (error) {
        emitForkpoolWarning(error, CALLBACK_WARNING)
      }
    }
    this.#wake()
  }
}
