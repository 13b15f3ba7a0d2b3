// Small helpers the suites share: where the compiled workers are, timing, and loud checks.

import { fileURLToPath } from 'node:url'

/** A compiled worker file of workers/ (dist/workers/NAME.js), as a file: URL. */
export function workerFile(name: string): URL {
  return new URL(`../workers/${name}.js`, import.meta.url)
}

/** A compiled file of bench/peers/ (a peer pool's worker adapter or a raw child), as a path. */
export function peerFile(name: string): string {
  return fileURLToPath(new URL(`./peers/${name}.js`, import.meta.url))
}

/**
 * Every contender that starts processes starts them detached (setsid), as forkpool does to give
 * each job its own process group. On Linux with sched_autogroup (the default on desktops and
 * on this machine), a new session is its own scheduling group: on a busy machine that alone
 * gives a child several times the CPU share of one left in the parent's session (measured here:
 * 200 vs 600 ms per forked Node child). Baselines get the same, so the figures compare the pools.
 */
export const DETACHED = true

/** Throws (failing the contender and the run) unless the condition holds. */
export function need(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`bench check failed: ${message}`)
}

/** Checks that `count` of `expected` tasks came back right; names the contender when not. */
export function needAll(contender: string, count: number, expected: number): void {
  need(count === expected, `${contender} completed ${count} of ${expected} tasks correctly`)
}

/** Milliseconds taken by `work`. */
export async function timeMs(work: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

/** The integers 0 … n-1. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/** Runs `task(i)` for i = 0 … n-1 with at most `cap` running at once: the hand-written baseline of a cap. */
export function capped(n: number, cap: number, task: (i: number) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0
    let running = 0
    let failed = false
    const launch = (): void => {
      while (!failed && running < cap && next < n) {
        const i = next++
        running++
        task(i).then(() => {
          running--
          if (next === n && running === 0) resolve()
          else launch()
        }, (error: unknown) => {
          failed = true
          reject(error)
        })
      }
    }
    if (n === 0) resolve()
    else launch()
  })
}

const BALLAST_CHUNK_MB = 64

/**
 * `mb` of Buffers for a parent to hold while it runs jobs (the big-parent suites), every page
 * written so that the memory is resident, not merely reserved.
 */
export function ballast(mb: number): Buffer[] {
  const held: Buffer[] = []
  for (let left = mb; left > 0; left -= BALLAST_CHUNK_MB) {
    held.push(Buffer.allocUnsafe(Math.min(left,
      BALLAST_CHUNK_MB) * 1048576).fill(held.length + 1))
  }
  return held
}

/** Throws unless `held` is still the ballast of `mb` (it must be the parent's for the whole run). */
export function needBallast(held: Buffer[], mb: number): void {
  need(held.length === Math.ceil(mb / BALLAST_CHUNK_MB), 'ballast lost')
}

/** mulberry32: a small, fast, seedable PRNG (the soaks replay a seed exactly). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
