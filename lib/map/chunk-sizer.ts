// Auto-chunking: how many items the next chunk of a map() gets.
//
// A chunk pays a fixed cost (a job's bookkeeping, one message each way, a structured clone) that
// measures 0.1–0.5 ms here for threads and reused processes. TARGET_CHUNK_MS = 50 keeps that
// under 1% of the work, while keeping what a chunk costs elsewhere small: the tail (the last
// chunks leave slots idle for at most about that long), the delay of a cancel or a `break`
// for a worker function that does not listen, and the progress steps. joblib aims at 0.5–2 s per batch
// because it pays for pickling and a process pool per batch; we pay far less per chunk, so we
// can afford chunks ten times shorter.
//
// The sizer starts with one item (a slow worker function must not get a huge first chunk), then sizes each
// chunk from the measured time per item inside the chunk job (not the round trip, so a fresh
// process's start-up does not make chunks smaller), growing at most fourfold per chunk, and never
// past MAX_CHUNK items, which bounds the memory a chunk and its results hold. A backend whose
// hop costs more (Redis and an agent: tens of ms) sets a longer target, Backend.chunkTargetMs,
// and may allow more items, Backend.chunkMaxItems.
// A backend with a size limit (Redis: maxDataBytes) may refuse a chunk of big items: the sizer
// then keeps every later chunk to the items that fit (tooBig()), and the refused chunk's items
// go back to be sent again in smaller pieces (MapEngine's giveBack).

export const TARGET_CHUNK_MS = 50
export const MAX_CHUNK = 10_000
const GROWTH = 4
/** A chunk sized from a refused one's bytes per item aims this far under the limit: items vary. */
const FIT_MARGIN = 0.8

/** How a manager's auto chunks are shaped: TARGET_CHUNK_MS and MAX_CHUNK, unless its backend says otherwise. */
export interface ChunkShape {
  targetMs: number
  maxItems: number
}

export const LOCAL_CHUNKS: ChunkShape = { targetMs: TARGET_CHUNK_MS, maxItems: MAX_CHUNK }

export class ChunkSizer {
  #size: number
  readonly #fixed: boolean
  readonly #max: number
  #msPerItem: number | undefined
  /** The most items a chunk may hold: the shape's maxItems, less once a backend refused a chunk's bytes. */
  #cap: number
  /** How long a chunk aims to run: TARGET_CHUNK_MS here, longer when a backend's hop costs more. */
  readonly targetMs: number

  /** `fixed`: the user's chunkSize; undefined for 'auto'. */
  constructor(fixed: number | undefined, shape: ChunkShape = LOCAL_CHUNKS) {
    this.#fixed = fixed !== undefined
    this.#size = fixed ?? 1
    this.#max = fixed ?? shape.maxItems
    this.#cap = shape.maxItems
    this.targetMs = shape.targetMs
  }

  /** The size of the next chunk. */
  get size(): number {
    return this.#size
  }

  /** The largest size this sizer can ever give: the user's chunkSize, or the shape's maxItems. */
  get max(): number {
    return this.#max
  }

  /** Learns from a chunk of `items` items that took `ms` inside the chunk job. */
  measured(items: number, ms: number): void {
    if (this.#fixed || items === 0) return
    // A clock step of zero (a fast chunk) still says "well under a microsecond per item".
    const perItem = Math.max(ms, 0.001) / items
    this.#msPerItem = this.#msPerItem === undefined ? perItem : (this.#msPerItem + perItem) / 2
    const ideal = Math.round(this.targetMs / this.#msPerItem)
    this.#size = Math.max(1, Math.min(ideal, this.#size * GROWTH, this.#cap))
  }

  /**
   * A chunk of `items` items was refused for its `bytes`, over a backend's `limit`: later chunks
   * hold at most the items that fit (a fixed chunkSize too: the limit is not the user's to pass).
   * Returns that many, at least 1.
   */
  tooBig(items: number, bytes: number, limit: number): number {
    const fit = Math.max(1, Math.floor((items * limit * FIT_MARGIN) / bytes))
    this.#cap = Math.min(this.#cap, fit)
    this.#size = Math.min(this.#size, this.#cap)
    return this.#cap
  }
}
