// A promise with its resolver, that ignores every resolution after the first. A class, so that a
// job's outcome costs one object and a promise, not a closure per method.

export class Once<T> {
  readonly promise: Promise<T>
  #resolve!: (value: T) => void
  #settled = false

  constructor() {
    this.promise = new Promise<T>((resolve) => (this.#resolve = resolve))
  }

  get settled(): boolean {
    return this.#settled
  }

  settle(value: T): void {
    if (this.#settled) return
    this.#settled = true
    this.#resolve(value)
  }
}

export function settleOnce<T>(): Once<T> {
  return new Once<T>()
}
