// Which thread runs a thread job, and how many jobs that thread has run. The thread writes it into
// memory it shares with the parent as it takes the task; the parent reads it only when asked (ps,
// a handle's threadId). It used to be a BroadcastChannel message per task, which every thread and
// the parent had to receive and decode: the largest per-job cost forkpool added to piscina's.
// Plain functions, tested in the main thread (test/runners/thread/placements.test.ts).

/** Three Int32 per slot (taskId, threadId, uses); task t uses slot t % slots. */
export function placementRecords(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * 4 * slots))
}

/** The thread side: `taskId` runs on `threadId`, the `uses`th task that thread has taken. */
export function recordPlacement(records: Int32Array, taskId: number, threadId: number, uses: number): void {
  const at = slotOf(records, taskId)
  // The facts first: a reader that sees the taskId sees them.
  Atomics.store(records, at + 1, threadId)
  Atomics.store(records, at + 2, uses)
  Atomics.store(records, at, taskId)
}

/** The parent side: where `taskId` runs, or undefined while no thread has taken it. */
export function placementOf(records: Int32Array, taskId: number): { threadId: number; uses: number } | undefined {
  const at = slotOf(records, taskId)
  if (Atomics.load(records, at) !== taskId) return undefined
  return { threadId: Atomics.load(records, at + 1), uses: Atomics.load(records, at + 2) }
}

function slotOf(records: Int32Array, taskId: number): number {
  return 3 * (taskId % (records.length / 3))
}
