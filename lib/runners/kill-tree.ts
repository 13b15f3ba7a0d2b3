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

/** How a command's process group is stopped: once the leader is gone, stragglers of a stopped job get SIGKILL. */
export interface GroupStopper {
  readonly stop: (signal: NodeJS.Signals) => void
  /** The leader exited: a group that was being stopped loses what is left of it. */
  readonly reap: () => void
}

/** The stopper of the group led by `pid` (null: no process, nothing to stop); `isSettled` says the job has ended. */
export function groupStopper(pid: number | null, isSettled: () => boolean): GroupStopper {
  let stopping = false
  return {
    stop: (signal: NodeJS.Signals): void => {
      if (pid === null || isSettled()) return
      stopping = true
      killTree(pid, signal)
    },
    reap: (): void => {
      if (stopping && pid !== null) killTree(pid, 'SIGKILL')
    },
  }
}
