// The input side of map(): items pulled in chunks from an array, an iterable or an async iterable,
// one chunk at a time, and a chunk sent early when a slow source keeps slots waiting. Items
// of a chunk a backend refused as too big come back here (giveBack) and are taken first.

import { describe } from '../util/describe.js'

/** What map() takes: any iterable or async iterable (an array, a Set, a generator, a stream of lines). */
export type Items<T> = Iterable<T> | AsyncIterable<T>

/** Items [first, first + items.length) of the input; `givenBack`: they had been given back (giveBack()). */
export interface Taken<T> {
  first: number
  items: T[]
  givenBack?: true
  /** Given back to find which item a worker function blocked on: run as a careful chunk (batch.ts). */
  careful?: true
}

export class ItemSource<T> {
  /** How many items the input holds, when it says (an array's length, a Set's size). */
  readonly total: number | undefined
  readonly #iterator: Iterator<T> | AsyncIterator<T>
  readonly #async: boolean
  /** A next() of an async source that was still pending when a chunk was sent without it. */
  #pending: Promise<IteratorResult<T>> | undefined
  #pulling: Promise<unknown> = Promise.resolve()
  #index = 0
  #done = false
  /** Given back, in pieces, taken before the input's next items; a piece is never merged with another. */
  readonly #givenBack: Array<Taken<T>> = []

  constructor(items: Items<T>) {
    const asyncIterator = (items as AsyncIterable<T> | null)?.[Symbol.asyncIterator]
    const syncIterator = (items as Iterable<T> | null)?.[Symbol.iterator]
    if (typeof asyncIterator !== 'function' && typeof syncIterator !== 'function') {
      throw new TypeError(`map() items must be an array, an iterable or an async iterable, got ${describe(items)}`)
    }
    this.#async = typeof asyncIterator === 'function'
    this.#iterator = this.#async ? asyncIterator!.call(items) : syncIterator!.call(items)
    const { length, size } = items as { length?: unknown; size?: unknown }
    this.total = typeof length === 'number' ? length : typeof size === 'number' ? size : undefined
  }

  /** True while items given back wait to be taken again. */
  get holdsGivenBack(): boolean {
    return this.#givenBack.length > 0
  }

  /** True once the input has run out (or failed, or was closed) and nothing given back is left. */
  get done(): boolean {
    return this.#done && this.#givenBack.length === 0
  }

  /**
   * The next chunk: up to `size` items with the index of the first. Pulls are serialized. An async
   * source that has not produced the next item by `waitMs` after the chunk's first one gets the
   * chunk sent as it is, so a slow source never holds items back from idle slots.
   * An error of the source rejects.
   */
  take(size: number, waitMs: number): Promise<Taken<T>> {
    const chunk = this.#pulling.then(() => this.#take(size, waitMs))
    this.#pulling = chunk.catch(() => {})
    return chunk
  }

  /**
   * Takes back items [first, first + items.length), taken before, to be taken again in pieces of
   * at most `piece` items, ahead of the rest: closing the source does not drop them.
   */
  giveBack(first: number, items: T[], piece: number, careful = false): void {
    const pieces: Array<Taken<T>> = []
    for (let at = 0; at < items.length; at += piece) {
      const taken: Taken<T> = { first: first + at, items: items.slice(at, at + piece), givenBack: true }
      if (careful) taken.careful = true
      pieces.push(taken)
    }
    this.#givenBack.unshift(...pieces)
  }

  /** Lets the source go (a `break` out of the results): no more pulls, and its iterator's return() runs. */
  close(): void {
    if (this.#done) return
    this.#done = true
    // Not awaited: an async generator's return() waits for its pending next(), which a slow source may take long to settle.
    void Promise.resolve(this.#iterator.return?.()).catch(() => {})
  }

  async #take(size: number, waitMs: number): Promise<Taken<T>> {
    const back = this.#givenBack[0]
    if (back !== undefined) {
      if (back.items.length <= size) return this.#givenBack.shift()!
      const taken: Taken<T> = { ...back, items: back.items.splice(0, size) }
      back.first += size
      return taken
    }
    const first = this.#index
    const items: T[] = []
    if (this.#done) return { first, items }
    try {
      if (!this.#async) {
        const iterator = this.#iterator as Iterator<T>
        while (items.length < size) {
          const step = iterator.next()
          if (step.done) {
            this.#done = true
            break
          }
          items.push(step.value)
        }
      } else {
        await this.#takeAsync(items, size, waitMs)
      }
    } catch (error) {
      this.#done = true
      throw error
    }
    this.#index += items.length
    return { first, items }
  }

  async #takeAsync(items: T[], size: number, waitMs: number): Promise<void> {
    const iterator = this.#iterator as AsyncIterator<T>
    let deadline: Promise<'late'> | undefined
    let timer: NodeJS.Timeout | undefined
    try {
      while (items.length < size) {
        const next = (this.#pending ??= Promise.resolve(iterator.next()))
        if (items.length === 1) deadline = new Promise((resolve) => (timer = setTimeout(resolve, waitMs, 'late')))
        const step = deadline === undefined ? await next : await Promise.race([next, deadline])
        if (step === 'late') return
        this.#pending = undefined
        if (step.done) {
          this.#done = true
          return
        }
        items.push(step.value)
      }
    } finally {
      clearTimeout(timer)
    }
  }
}
