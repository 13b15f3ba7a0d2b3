// A counting semaphore with a capacity that can change while it is held: the manager's cap.

import type { AbortLike } from '../util/cancel-token.js'
import { invalidType, optionKeys, validateInteger, validateOptions } from '../util/validate.js'

interface Waiter {
  resolve: () => void
  cleanup: () => void
}

/** Releases its permit at scope end: `using permit = await sem.lock()`. */
export interface Permit extends Disposable {
  /** Gives the permit back (once; later calls do nothing). */
  release(): void
}

/** Options of acquire() and lock(). */
export interface AcquireOptions {
  /** Aborting it withdraws the waiting call, which rejects with the signal's reason. */
  signal?: AbortLike
  /** Gives up after this many milliseconds with a TimeoutError. */
  timeoutMs?: number
}

const ACQUIRE_KEYS = optionKeys<AcquireOptions>({ signal: true, timeoutMs: true })

/** A counting semaphore: at most `capacity` holders at once, waiters served first come, first served. The manager's cap is one. */
export class Semaphore {
  #capacity: number
  #held = 0
  readonly #waiters: Waiter[] = []

  constructor(capacity: number) {
    this.#capacity = validateInteger(capacity, 'Semaphore capacity')
  }

  /** How many permits may be held at once. */
  get capacity(): number {
    return this.#capacity
  }

  /** Changes the capacity; raising it wakes waiters at once, lowering it takes effect as permits come back. */
  set capacity(value: number) {
    this.#capacity = validateInteger(value, 'Semaphore capacity')
    this.#wake()
  }

  /** Permits currently held. */
  get held(): number {
    return this.#held
  }

  /** Acquirers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length
  }

  /** Takes a permit if one is free, without waiting. */
  tryAcquire(): boolean {
    if (this.#held < this.#capacity && this.#waiters.length === 0) {
      this.#held++
      return true
    }
    return false
  }

  /**
   * Waits for a permit (first come, first served). Rejects with the signal's reason if
   * `signal` aborts first, or with a TimeoutError after `timeoutMs`. `signal` is an AbortSignal,
   * or anything with its aborted, reason and 'abort' listeners (the manager's CancelToken).
   */
  acquire(options?: AcquireOptions): Promise<void> {
    const { signal, timeoutMs } = checkAcquireOptions(options, 'acquire')
    // An aborted signal means "no longer wanted", even when a permit is free.
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.tryAcquire()) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const fail = (reason: unknown): void => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        waiter.cleanup()
        reject(reason)
        // Our place in line is gone; someone behind us may fit now.
        this.#wake()
      }
      const onAbort = (): void => fail(signal!.reason)
      // A plain (ref'd) timer: someone is waiting on this promise, so the process must not exit under it.
      const timer = timeoutMs === undefined
        ? undefined
        : setTimeout(() => fail(new DOMException(`Semaphore.acquire() timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
      const waiter: Waiter = {
        resolve,
        cleanup: () => {
          signal?.removeEventListener('abort', onAbort)
          clearTimeout(timer)
        },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(waiter)
    })
  }

  /** Acquires and returns a permit that releases itself at the end of a `using` scope. */
  async lock(options?: AcquireOptions): Promise<Permit> {
    checkAcquireOptions(options, 'lock')
    await this.acquire(options)
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      this.release()
    }
    return { release, [Symbol.dispose]: release }
  }

  /** Gives a permit back. */
  release(): void {
    if (this.#held === 0) throw new Error('Semaphore.release() called more times than acquire()')
    this.#held--
    this.#wake()
  }

  #wake(): void {
    while (this.#held < this.#capacity && this.#waiters.length > 0) {
      const waiter = this.#waiters.shift()!
      waiter.cleanup()
      this.#held++
      waiter.resolve()
    }
  }
}

function checkAcquireOptions(options: AcquireOptions | undefined, call: string): AcquireOptions {
  const checked = validateOptions(options, `Semaphore.${call}()`, ACQUIRE_KEYS)
  const { signal, timeoutMs } = checked
  if (timeoutMs !== undefined) validateInteger(timeoutMs, `Semaphore.${call}() timeoutMs`)
  // Anything that aborts as an AbortSignal does will do (the manager passes its CancelToken).
  if (signal !== undefined && typeof (signal as Partial<AbortLike> | null)?.addEventListener !== 'function') {
    throw invalidType(`Semaphore.${call}() signal`, 'an AbortSignal', signal)
  }
  return checked
}
