// Slot numbers ({%}): each running job holds one of 1..N, the lowest free one.

import { Semaphore } from '../primitives/semaphore.js'

export class SlotPool {
  readonly #free: number[]
  readonly #cap: Semaphore

  constructor(size: number) {
    this.#free = Array.from({ length: size }, (_, i) => i + 1)
    this.#cap = new Semaphore(size)
  }

  /** Waits for a free slot; rejects with the signal's reason if it aborts first. */
  async acquire(signal: AbortSignal): Promise<number> {
    await this.#cap.acquire({ signal })
    this.#free.sort((a, b) => a - b)
    return this.#free.shift()!
  }

  release(slot: number): void {
    this.#free.push(slot)
    this.#cap.release()
  }
}
