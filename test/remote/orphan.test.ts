// A stopped job whose agent was lost (SIGKILLed) with no agent left to take it again: the stop
// order is heard by nobody, and the job stays in Redis. Found by the remote soak (issue #32): the
// producer's shutdown() waited for it for ever. The producer takes it off the queue once no agent
// holds its lock, and it settles as stopped, with the run it had (signal and exitCode null: its
// run ended with its agent, nothing of it was signalled).
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { ForkManager, type JobHandle, type JobStartInfo } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { eventually, untilFile } from '../helpers/wait.js'
import { startAgent, startRedis, type TestRedis } from '../helpers/redis.js'

// Each subtest has a Redis and an agent of its own and mostly waits (for the killed agent's lock to lapse).
t.jobs = 2

/** The test agents' --lock-duration (test/helpers/redis.ts): a killed agent's lock lapses within it. */
const LOCK_MS = 4000

/** `promise`'s value, or 'hung' once `ms` has passed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)))
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** A job hanging on the one agent of `queue`, which is then SIGKILLed: no agent is left. */
async function orphan(t: Test, queue: string, timeout?: string): Promise<{ redis: TestRedis; pm: ForkManager; job: JobHandle }> {
  const redis = await startRedis(t)
  const agent = await startAgent(t, redis.url, queue, 'box-1', ['-j', '1'])
  const backend = redisBackend({ url: redis.url, queue, reconcileInterval: '500ms' })
  const pm = new ForkManager({ maxProcs: 2, backend })
  // A hung shutdown() fails the test, and its backend closed by hand (which settles the jobs it has) lets the test end.
  t.teardown(async () => {
    if (await within(pm.shutdown({ grace: 200 }), 5000) === 'hung') await backend.close()
  })
  const starts: JobStartInfo[] = []
  pm.runOnStart((info) => starts.push(info))
  const ready = join(t.testdir({}), 'ready')
  const job = await pm.start('orphan', { worker: worker('faults'), data: { mode: 'hang', ready } }, { timeout, killGrace: '200ms' })
  t.ok(await untilFile(ready, 10_000), 'the job runs on the agent')
  t.ok(await eventually(() => starts.length === 1, 10_000), 'the producer has heard of its start')
  const gone = new Promise((resolve) => agent.once('exit', resolve))
  agent.kill('SIGKILL')
  await gone
  return { redis, pm, job }
}

t.test('shutdown() with a running job whose agent was SIGKILLed, no agent left: it settles, stopped after its one run', async (t) => {
  const { redis, pm, job } = await orphan(t, 'orphan-shutdown')
  const asked = Date.now()
  // Its lock lapses within LOCK_MS; the producer looks every reconcileInterval (500 ms).
  t.not(await within(pm.shutdown({ grace: 200 }), LOCK_MS + 6000), 'hung', 'shutdown() settled')
  t.ok(Date.now() - asked < LOCK_MS + 6000, 'within the lock duration and a few reconcile intervals')
  t.match(await within(job.result, 1000), {
    ok: false, cancelled: true, cancelReason: 'shutdown', timedOut: false, signal: null, exitCode: null, error: null, attempts: 1,
    host: 'box-1',
  })
  t.equal(await redis.client.exists('bull:orphan-shutdown:wait', 'bull:orphan-shutdown:active'), 0, 'nothing of it is left in the queue')
})

t.test('the producer\'s own deadline (timeout + killGrace + 10 s) settles such a job as timed out', async (t) => {
  // Long enough for the job to be seen running and its agent killed before the agent's own timeout
  // stops it: a 1 s timeout failed CI on a loaded machine, where the worker took longer to start.
  const { pm, job } = await orphan(t, 'orphan-deadline', '4s')
  // The agent would have stopped it at 4 s; the producer's deadline comes at 4 s + 200 ms + 10 s.
  t.match(await within(job.result, 25_000), {
    ok: false, cancelled: false, timedOut: true, signal: null, exitCode: null, error: null, attempts: 1, host: 'box-1',
  }, 'it settled, timed out')
  t.not(await within(pm.shutdown({ grace: 200 }), 5000), 'hung')
})
