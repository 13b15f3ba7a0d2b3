// setTimeout for any length: Node fires timers longer than 2^31-1 ms (24.8 days) at once.

/** Node fires timers longer than this (24.8 days) at once; a longer wait is armed in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Calls `fn` after `ms` (Infinity: never). The timer does not keep the process alive.
 * Returns a function that cancels it.
 */
export function setLongTimeout(fn: () => void, ms: number): () => void {
  if (ms <= MAX_TIMER_MS) {
    // The usual case, a timer Node can keep itself.
    const timer = setTimeout(fn, ms)
    timer.unref()
    return () => clearTimeout(timer)
  }
  let timer: NodeJS.Timeout | undefined
  const due = Date.now() + ms
  const arm = (left: number): void => {
    timer = setTimeout(() => {
      const rest = due - Date.now()
      if (rest > 0) arm(rest)
      else fn()
    }, Math.min(left, MAX_TIMER_MS))
    timer.unref()
  }
  if (ms !== Infinity) arm(ms)
  return () => clearTimeout(timer)
}
