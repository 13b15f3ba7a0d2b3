// A one-shot cancellation with a reason, for code inside the library: what an AbortController
// gives, without the EventTarget behind every AbortSignal. The manager makes one per job; with an
// AbortController per job instead, a start() costs more (bench/README.md, "Hot-path code").

/**
 * The part of an AbortSignal that code waiting on one uses. An AbortSignal has it, and so has a
 * CancelToken, so Semaphore.acquire() and the overlap wait take either.
 */
export interface AbortLike {
  /** True once aborted. */
  readonly aborted: boolean
  /** What it was aborted with. */
  readonly reason: unknown
  /** Calls `listener` when it is aborted. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  /** Stops calling `listener`. */
  removeEventListener(type: 'abort', listener: () => void): void
}

export class CancelToken implements AbortLike {
  #aborted = false
  #reason: unknown = undefined
  /** Made by the first listener: most jobs are never listened to while queued. */
  #listeners: Array<() => void> | undefined

  get aborted(): boolean {
    return this.#aborted
  }

  /** Why it was aborted; undefined until then. */
  get reason(): unknown {
    return this.#reason
  }

  /**
   * Aborts with `reason` (as AbortController.abort does, an AbortError DOMException when it is
   * undefined) and calls the listeners in the order they were added. The first reason wins.
   */
  abort(reason?: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason
    const listeners = this.#listeners
    // Taken one at a time from the live list: a listener removed by an earlier one is not called.
    if (listeners !== undefined) while (listeners.length > 0) listeners.shift()!()
  }

  /**
   * Calls `listener` once, when the token is aborted (every listener is `{ once: true }`). As on
   * an AbortSignal, adding a listener twice adds it once, and one added after the abort never runs.
   */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.#aborted) return
    const listeners = (this.#listeners ??= [])
    if (!listeners.includes(listener)) listeners.push(listener)
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.#listeners?.indexOf(listener) ?? -1
    if (i !== -1) this.#listeners!.splice(i, 1)
  }
}
