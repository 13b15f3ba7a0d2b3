// Held thread jobs. With every thread busy, the manager hands a thread job to its pool at once
// rather than keeping it until a slot frees: it waits in piscina's own queue, and piscina gives it
// to the first thread that finishes a job, in the same message handler that takes that job's
// reply. Before, a thread slept from its reply until this thread had settled the finished job,
// freed its slot, admitted the next one and posted it (issue 14: the idle gap that kept
// thread-noop under piscina's throughput and thread-cpu under the peers' speedup). The job counts
// as running only from the moment a thread takes it, which piscina decides in its load balancer:
// the balancer here is piscina's least-busy one, and tells the job's Hold that it has begun.

/** The key piscina reads a task's queue options from (piscina's queueOptionsSymbol, a registered symbol). */
export const HOLD = Symbol.for('Piscina.queueOptions')

/** A thread task as piscina's balancer sees it: a held job's Hold under HOLD. */
export interface HeldTask {
  readonly [HOLD]?: unknown
}

/** A pool thread as piscina's balancer sees it. */
export interface BalancedThread {
  readonly currentUsage: number
}

/** One held job: `begin()` runs once, when a thread takes the job; `begun` is known at once, the callback follows in a microtask (outside piscina's handler). */
export class Hold {
  begun = false
  readonly #began: () => void

  constructor(began: () => void) {
    this.#began = began
  }

  begin(): void {
    if (this.begun) return
    this.begun = true
    queueMicrotask(this.#began)
  }
}

/**
 * piscina's LeastBusyBalancer (an idle thread first, else the least busy one with room), without
 * its rule that a task with an abort signal gets a thread to itself: a held job carries a signal
 * only to be taken back from the queue, never once it runs (runner.ts ends shared threads itself).
 */
export function holdingBalancer(perThread: number): <T extends BalancedThread>(task: HeldTask, threads: T[]) => T | null {
  return (task, threads) => {
    let candidate = null
    let least = perThread
    for (const thread of threads) {
      if (thread.currentUsage < least) {
        candidate = thread
        least = thread.currentUsage
        if (least === 0) break
      }
    }
    if (candidate !== null && task[HOLD] instanceof Hold) task[HOLD].begin()
    return candidate
  }
}
