// pm.results(): streams of JobResults as jobs finish, each a bounded Channel made on demand.

import { Channel } from '../primitives/channel.js'
import { optionKeys, validateAbortSignal, validateInteger, validateOptions } from '../util/validate.js'
import type { JobResult } from '../types.js'

/** The options of `results()`. */
export interface ResultsOptions {
  /** How many results the stream holds before finished jobs wait for the reader. Default 256. */
  capacity?: number
  /** Aborting it ends the stream after the results it already holds. */
  signal?: AbortSignal
}

interface Subscriber {
  channel: Channel<JobResult>
  /** Aborted when the stream ends, so that puts still waiting on it give up. */
  gone: AbortController
}

const DEFAULT_CAPACITY = 256
const RESULTS_KEYS = optionKeys<ResultsOptions>({ capacity: true, signal: true })

/**
 * Nothing is buffered for streams nobody asked for. A stream gets every result from its
 * creation on; while it is full, a finished job keeps its slot until the reader takes a result
 * (backpressure). Once the manager is closing, results no longer wait: they queue behind the
 * full buffer (at most the jobs then in flight) and the stream ends after the last one.
 */
export class ResultStreams {
  readonly #subscribers = new Set<Subscriber>()
  #closing = false
  #closed = false
  #stopWaiting!: () => void
  readonly #closingSignal = new Promise<void>((resolve) => (this.#stopWaiting = resolve))

  open(options?: ResultsOptions): AsyncIterableIterator<JobResult> {
    const checked = validateOptions(options, 'results()', RESULTS_KEYS)
    const capacity = validateInteger(checked.capacity ?? DEFAULT_CAPACITY, 'results() capacity', 1)
    const signal = validateAbortSignal(checked.signal, 'results() signal')
    const subscriber: Subscriber = { channel: new Channel(capacity), gone: new AbortController() }
    const end = (): void => {
      signal?.removeEventListener('abort', end)
      this.#subscribers.delete(subscriber)
      subscriber.gone.abort()
      subscriber.channel.close()
    }
    if (this.#closed || signal?.aborted) end()
    else {
      this.#subscribers.add(subscriber)
      signal?.addEventListener('abort', end, { once: true })
    }
    return drain(subscriber.channel, end)
  }

  /**
   * Hands a result to every open stream; the promise resolves once they all have room for it.
   * Undefined when nothing is to be waited for: no stream is open (the common case, kept free of
   * promises), or the manager is closing.
   */
  deliver(result: JobResult): Promise<void> | undefined {
    if (this.#subscribers.size === 0) return undefined
    const puts = [...this.#subscribers].map((s) => s.channel.put(result, { signal: s.gone.signal }).catch(() => {}))
    if (this.#closing) return undefined
    return Promise.race([Promise.all(puts), this.#closingSignal]).then(() => {})
  }

  /** The manager is closing: from now on no finished job waits for a reader. */
  closing(): void {
    this.#closing = true
    this.#stopWaiting()
  }

  /** Every job has ended: streams end once their readers have taken what they hold. */
  close(): void {
    this.#closed = true
    for (const subscriber of this.#subscribers) subscriber.channel.close()
    this.#subscribers.clear()
  }
}

async function* drain(channel: Channel<JobResult>, end: () => void): AsyncGenerator<JobResult, void, undefined> {
  try {
    yield* channel
  } finally {
    end()
  }
}
