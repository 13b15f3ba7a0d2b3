// Counts of how jobs ended, and percentiles of how long they ran.

import type { JobResult } from '../types.js'

/** What `pm.stats()` returns. */
export interface JobStats {
  /** Jobs waiting for a slot (or for an older job of the same name) now. */
  queued: number
  /** Jobs running or stopping now. */
  running: number
  /** Jobs that have ended, whichever way; failed, timedOut and cancelled are disjoint parts of it. */
  finished: number
  /** Ended with a non-zero exit code, a signal or an error, and neither timed out nor cancelled. */
  failed: number
  /** Stopped by their timeout. */
  timedOut: number
  /** Cancelled jobs, also those cancelled before they started. */
  cancelled: number
  /** Durations in milliseconds of jobs that ran (never-started cancelled jobs are left out): null before any. */
  durationMs: {
    /** The median, over the latest 10,000 jobs that ran (nearest rank). */
    p50: number
    /** The 95th percentile, over the same jobs. */
    p95: number
    /** The longest, over all jobs that ran. */
    max: number
  } | null
}

/** How many recent durations the percentiles are taken over. */
export const DURATION_WINDOW = 10_000

export class StatsCounter {
  #finished = 0
  #failed = 0
  #timedOut = 0
  #cancelled = 0
  #max = 0
  // A ring of the most recent durations: memory stays bounded however long the manager lives.
  readonly #durations: number[] = []
  #next = 0

  /** Counts an ended job; `ran` is false for a job cancelled before it got a slot. */
  record(result: JobResult, ran: boolean): void {
    this.#finished++
    if (result.cancelled) this.#cancelled++
    else if (result.timedOut) this.#timedOut++
    else if (!result.ok) this.#failed++
    if (!ran) return
    this.#max = Math.max(this.#max, result.durationMs)
    this.#durations[this.#next] = result.durationMs
    this.#next = (this.#next + 1) % DURATION_WINDOW
  }

  snapshot(queued: number, running: number): JobStats {
    const sorted = [...this.#durations].sort((a, b) => a - b)
    return {
      queued,
      running,
      finished: this.#finished,
      failed: this.#failed,
      timedOut: this.#timedOut,
      cancelled: this.#cancelled,
      durationMs: sorted.length === 0 ? null : { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: this.#max },
    }
  }
}

/** Nearest-rank percentile of an ascending, non-empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}
