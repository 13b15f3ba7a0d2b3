// A promise with its resolver, that ignores every resolution after the first.

export interface Once<T> {
  promise: Promise<T>
  settle(value: T): void
  readonly settled: boolean
}

export function settleOnce<T>(): Once<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  const once = {
    promise,
    settled: false,
    settle(value: T): void {
      if (once.settled) return
      once.settled = true
      resolve(value)
    },
  }
  return once
}
