// Shared by the reused-worker-process tests (test/runners/pool-worker and process-pool).
import type { Test } from 'tap'
import { ForkManager, type JobResult } from '../../dist/lib/index.js'

export const pooled = { isolation: 'process-pool' } as const

/** A manager whose pool is closed at the end of the test. */
export function manager(t: Test, options = {}): ForkManager {
  const pm = new ForkManager({ maxProcs: 2, killGrace: 1000, ...options })
  t.teardown(() => pm.close())
  return pm
}

/** Runs one job in the pool and waits for its result. */
export async function run(pm: ForkManager, job: object, options = {}): Promise<JobResult> {
  return (await pm.start('j', { ...pooled, ...job } as never, options)).result
}
