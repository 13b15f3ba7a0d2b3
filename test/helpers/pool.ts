// Shared by the reused-worker-process tests (test/runners/pool/).
import type { ForkManager, JobResult } from '../../dist/lib/index.js'

export const pooled = { isolation: 'process-pool' } as const

/** Runs one job in the pool and waits for its result. */
export async function run(pm: ForkManager, job: object, options = {}): Promise<JobResult> {
  return (await pm.start('j', { ...pooled, ...job } as never, options)).result
}
