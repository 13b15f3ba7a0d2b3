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

/**
 * One held job: `begin()` runs its callback once, when a thread takes the job. Synchronously,
 * inside piscina's handler of the reply that freed the thread: the manager must count the job
 * before that reply's job frees its slot, or the slot would go to a job waiting in the manager.
 */
export class Hold {
  /** True once it has begun, or was taken back. */
  begun = false
  /** Its place in the pool's queue: held jobs begin in the order they were handed over. */
  readonly order: number
  readonly #began: () => void

  constructor(order: number, began: () => void) {
    this.order = order
    this.#began = began
  }

  begin(): void {
    if (this.begun) return
    this.begun = true
    this.#began()
  }

  /** Takes the job back before a thread has taken it: true, and it will never begin; false once it has (or was taken back already). */
  withdraw(): boolean {
    if (this.begun) return false
    this.begun = true
    return true
  }
}

/** piscina's LeastBusyBalancer: an idle thread first, else the least busy one with room. */
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

/**
 * piscina's task queue, in the order the jobs were handed over. piscina's own queues do not keep
 * it: a task that finds no room is put back at the tail (or, with stricterFIFO, every new task
 * goes in at the head). Jobs that are not held (no Hold; only at a pool's start, before its
 * threads are up) go first: the manager already counts them as running.
 */
export class HeldQueue<T extends HeldTask> {
  readonly #tasks: T[] = []

  get size(): number {
    return this.#tasks.length
  }

  shift(): T | null {
    return this.#tasks.shift() ?? null
  }

  push(task: T): void {
    const tasks = this.#tasks
    const order = orderOf(task)
    let at = tasks.length
    while (at > 0 && orderOf(tasks[at - 1]!) > order) at--
    tasks.splice(at, 0, task)
  }

  /** A task that found no room goes back to its place. */
  unshift(task: T): void {
    this.push(task)
  }

  remove(task: T): void {
    const at = this.#tasks.indexOf(task)
    if (at !== -1) this.#tasks.splice(at, 1)
  }
}

function orderOf(task: HeldTask): number {
  const hold = task[HOLD]
  return hold instanceof Hold ? hold.order : 0
}
