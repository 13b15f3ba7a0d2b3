// The one way tests make a ForkManager: it is shut down when the test ends, however the test ended.
import type { Test } from 'tap'
import { ForkManager, type ForkManagerOptions } from '../../dist/lib/index.js'

/** What a test's manager gets unless the test says otherwise. */
export const TEST_MANAGER_DEFAULTS = { maxProcs: 2, killGrace: 1000 } as const

/** How long teardown gives a job that is still running (SIGTERM, then SIGKILL after this). */
const TEARDOWN_GRACE_MS = 500

/**
 * A manager for test `t` (the file's root test for a manager its tests share). At teardown it is
 * shut down, not just closed: a job that a failed assertion left running is stopped (SIGKILL after
 * half a second) instead of holding the file open, and its threads and pool processes are ended.
 * A test that closed or shut it down itself is fine: close() hands back the promise it gave before.
 */
export function manager(t: Test, options: ForkManagerOptions = {}): ForkManager {
  const pm = new ForkManager({ ...TEST_MANAGER_DEFAULTS, ...options })
  t.teardown(() => pm.shutdown({ grace: TEARDOWN_GRACE_MS }))
  return pm
}
