// A bounded async queue, Coro::Channel style: put waits while it is full, get waits while it is empty.

import { ChannelClosedError } from '../errors.js'
import { optionKeys, validateAbortSignal, validateInteger, validateOptions } from '../util/validate.js'

interface Getter<T> {
  resolve: (result: IteratorResult<T, undefined>) => void
  cleanup: () => void
}

interface Putter<T> {
  value: T
  resolve: () => void
  cleanup: () => void
}

/** Options of a waiting `put` or `get`. */
export interface ChannelWaitOptions {
  /** Aborting it withdraws the waiting call, which rejects with the signal's reason. */
  signal?: AbortSignal
}

const WAIT_KEYS = optionKeys<ChannelWaitOptions>({ signal: true })

/** A bounded async queue: `put` waits while it is full, `get` while it is empty; `close()` ends it after what it holds. */
export class Channel<T> implements AsyncIterable<T> {
  /** How many values it holds before `put` waits. */
  readonly capacity: number
  readonly #buffer: T[] = []
  readonly #getters: Array<Getter<T>> = []
  readonly #putters: Array<Putter<T>> = []
  #closed = false

  constructor(capacity: number) {
    this.capacity = validateInteger(capacity, 'Channel capacity', 1)
  }

  /** Values buffered now (not counting puts still waiting for room). */
  get size(): number {
    return this.#buffer.length
  }

  /** True once `close()` was called. Values already sent can still be taken. */
  get closed(): boolean {
    return this.#closed
  }

  /** Puts a value if there is room, without waiting. Throws ChannelClosedError once closed. */
  tryPut(value: T): boolean {
    if (this.#closed) throw new ChannelClosedError('put on a closed Channel')
    const getter = this.#getters.shift()
    if (getter !== undefined) {
      getter.cleanup()
      getter.resolve({ done: false, value })
      return true
    }
    if (this.#buffer.length < this.capacity) {
      this.#buffer.push(value)
      return true
    }
    return false
  }

  /**
   * Puts a value, waiting while the channel is full (first come, first served). Rejects with
   * ChannelClosedError when the channel is closed, or with the signal's reason if it aborts first.
   * A put already waiting when the channel is closed stays queued: its value is still delivered.
   */
  put(value: T, options?: ChannelWaitOptions): Promise<void> {
    const { signal } = checkOptions(options, 'put')
    try {
      if (this.tryPut(value)) return Promise.resolve()
    } catch (error) {
      return Promise.reject(error)
    }
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#putters.splice(this.#putters.indexOf(putter), 1)
        reject(signal!.reason)
      }
      const putter: Putter<T> = { value, resolve, cleanup: () => signal?.removeEventListener('abort', onAbort) }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#putters.push(putter)
    })
  }

  /**
   * Takes the oldest value, waiting while the channel is empty. Rejects with ChannelClosedError
   * once the channel is closed and drained, or with the signal's reason if it aborts first.
   */
  async get(options?: ChannelWaitOptions): Promise<T> {
    const next = await this.#take(checkOptions(options, 'get').signal)
    if (next.done) throw new ChannelClosedError('get on a closed and empty Channel')
    return next.value
  }

  /** No more puts: waiting gets past the last value end, and async iteration stops once it is drained. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    // Nothing is buffered while someone waits to get, so every waiting getter is done.
    for (const getter of this.#getters.splice(0)) {
      getter.cleanup()
      getter.resolve({ done: true, value: undefined })
    }
  }

  /** Yields values as they come until the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.#take(undefined),
      return: async () => ({ done: true, value: undefined }),
    }
  }

  #take(signal: AbortSignal | undefined): Promise<IteratorResult<T, undefined>> {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift()!
      // Room again: the longest-waiting put gets in.
      const putter = this.#putters.shift()
      if (putter !== undefined) {
        putter.cleanup()
        this.#buffer.push(putter.value)
        putter.resolve()
      }
      return Promise.resolve({ done: false, value })
    }
    if (this.#closed) return Promise.resolve({ done: true, value: undefined })
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#getters.splice(this.#getters.indexOf(getter), 1)
        reject(signal!.reason)
      }
      const getter: Getter<T> = { resolve, cleanup: () => signal?.removeEventListener('abort', onAbort) }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#getters.push(getter)
    })
  }
}

function checkOptions(options: ChannelWaitOptions | undefined, call: string): ChannelWaitOptions {
  const checked = validateOptions(options, `Channel.${call}()`, WAIT_KEYS)
  validateAbortSignal(checked.signal, `Channel.${call}() signal`)
  return checked
}
