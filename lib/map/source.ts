// The input side of map(): items pulled in chunks from an array, an iterable or an async iterable,
// one chunk at a time, and a chunk sent early when a slow source keeps the workers waiting.

import { describe } from '../util/describe.js'

/** What map() takes: any iterable or async iterable (an array, a Set, a generator, a stream of lines). */
export type Items<T> = Iterable<T> | AsyncIterable<T>

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

  /** True once the input has run out (or failed). */
  get done(): boolean {
    return this.#done
  }

  /**
   * The next chunk: up to `size` items with the index of the first. Pulls are serialized. An async
   * source that has not produced the next item by `waitMs` after the chunk's first one gets the
   * chunk sent as it is, so a slow source never holds items back from idle workers.
   * An error of the source rejects.
   */
  take(size: number, waitMs: number): Promise<{ first: number; items: T[] }> {
    const chunk = this.#pulling.then(() => this.#take(size, waitMs))
    this.#pulling = chunk.catch(() => {})
    return chunk
  }

  /** Lets the source go (a `break` out of the results): no more pulls, and its iterator's return() runs. */
  close(): void {
    if (this.#done) return
    this.#done = true
    // Not awaited: an async generator's return() waits for its pending next(), which a slow source may take long to settle.
    void Promise.resolve(this.#iterator.return?.()).catch(() => {})
  }

  async #take(size: number, waitMs: number): Promise<{ first: number; items: T[] }> {
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
