// How the parent learns the exit code of a thread job that called process.exit(). piscina rejects
// such a task with only an Error whose message holds the code; rather than parse its text, the
// thread writes (taskId, code) into memory it shares with the parent, just before it exits. Plain
// functions, so they run and are tested in the main thread (test/runners/thread/exits.test.ts);
// runtime.ts and runner.ts only wire them up.

/** Shared memory for the exit codes of `slots` tasks: two Int32 per slot (taskId, code); task t uses slot t % slots. */
export function exitRecords(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * 4 * slots))
}

/** The thread side: records that each of `taskIds` ended with `code`. */
export function recordExit(records: Int32Array, taskIds: Iterable<number>, code: number): void {
  for (const taskId of taskIds) {
    const at = slotOf(records, taskId)
    // The code first: a reader that sees the taskId sees its code.
    Atomics.store(records, at + 1, code)
    Atomics.store(records, at, taskId)
  }
}

/** The parent side: the code `taskId` exited with, or undefined when it did not call process.exit(). */
export function recordedExit(records: Int32Array, taskId: number): number | undefined {
  const at = slotOf(records, taskId)
  return Atomics.load(records, at) === taskId ? Atomics.load(records, at + 1) : undefined
}

function slotOf(records: Int32Array, taskId: number): number {
  return 2 * (taskId % (records.length / 2))
}

/** What of `process` the wrapper needs. */
export interface Exitable {
  exit(code?: number | string | null): never
  exitCode?: number | string | null | undefined
  on(event: 'uncaughtExceptionMonitor', listener: () => void): unknown
  listenerCount(event: 'uncaughtException'): number
}

/**
 * The thread side: wraps `proc.exit` so that, before the thread exits, every task in `running` is
 * recorded with the code the thread exits with, computed as Node does: an argument (even
 * undefined) replaces process.exitCode, and the code is process.exitCode, or 0.
 */
export function recordExitsOf(proc: Exitable, records: Int32Array, running: ReadonlyMap<number, unknown>): void {
  // A crash (an uncaught exception or rejection) that no 'uncaughtException' handler takes ends
  // the thread through process.exit() too, called right after this monitor; the parent reports
  // its error, so that exit is not recorded. A handler's own process.exit(code) is.
  let crashing = false
  proc.on('uncaughtExceptionMonitor', () => {
    crashing = proc.listenerCount('uncaughtException') === 0
  })
  const exit = proc.exit
  proc.exit = function (...args: [code?: number | string | null]): never {
    // Setting exitCode first makes Node check the code (process.exit('x') throws) before anything is recorded.
    if (args.length > 0) proc.exitCode = args[0]
    if (!crashing) recordExit(records, running.keys(), Number(proc.exitCode ?? 0))
    return exit.call(proc)
  }
}
