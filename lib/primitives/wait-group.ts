// AnyEvent's begin/end condvar: wait() resolves once every begin() has been matched by an end().

import { validateInteger } from '../util/validate.js'

/** Counts work in flight: `begin()` and `end()` around each piece, `wait()` until none is left (AnyEvent's condvar, Go's WaitGroup). */
export class WaitGroup {
  #members = 0
  #waiters: Array<() => void> = []

  /** Members that have begun and not yet ended. */
  get count(): number {
    return this.#members
  }

  /** Adds `n` members (default 1). */
  begin(n = 1): void {
    this.#members += validateInteger(n, 'WaitGroup.begin(n)', 1)
  }

  /** One member is done. Throws when no member is left to end. */
  end(): void {
    if (this.#members === 0) throw new Error('WaitGroup.end() called more times than begin()')
    if (--this.#members === 0) for (const resolve of this.#waiters.splice(0)) resolve()
  }

  /** Resolves when the group has no members: at once for an empty group. */
  wait(): Promise<void> {
    if (this.#members === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}
