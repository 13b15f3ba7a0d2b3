// Jobs run as leaders of their own process groups, so one signal reaches every process they started.

/** Sends `signal` to the process group led by `pid`. A group that is already gone is not an error. */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  // -1 would mean "every process we may signal": never let a bad pid get there.
  if (!Number.isInteger(pid) || pid <= 1) throw new RangeError(`killTree needs a child's pid, got ${pid}`)
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is gone already. EPERM: a member is not ours to signal. Either way nothing is left to do.
  }
}

// Signals whose default action writes a core file (signal(7)).
const CORE_SIGNALS = new Set(['SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGQUIT', 'SIGSEGV', 'SIGSYS', 'SIGTRAP', 'SIGXCPU', 'SIGXFSZ'])

export function dumpsCore(signal: NodeJS.Signals | null): boolean {
  return signal !== null && CORE_SIGNALS.has(signal)
}
