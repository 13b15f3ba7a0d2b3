// Producers sharing a queue see each other's events and ignore them; an agent stopped with SIGTERM
// stops the job it runs, and that job still settles once at its producer.
import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { eventually, sleep } from '../helpers/wait.js'
import { alive, startAgent, startRedis } from '../helpers/redis.js'

t.test('two producers on one queue: each gets its own results, the other\'s events and polls pass it by', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'two', 'box-1', ['-j', '4'])
  const managers = [1,
    2].map(() => new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'two', reconcileInterval: '200ms' }) }))
  t.teardown(() => Promise.all(managers.map((pm) => pm.shutdown({ grace: 500 }))))
  const handles = await Promise.all(managers.flatMap((pm, m) => [0,
    1].map((i) => pm.start(`p${m}-${i}`, { worker: worker('sleep'), data: 400 + 100 * i }))))
  const results = await Promise.all(handles.map((h) => h.result))
  t.same(results.map((r) => r.ident), ['p0-0', 'p0-1', 'p1-0', 'p1-1'])
  for (const r of results) t.match(r, { ok: true, host: 'box-1', attempts: 1 }, r.ident)
})

t.test('an agent stopped with SIGTERM stops the job it runs, exits, and the job settles at its producer', async (t) => {
  const redis = await startRedis(t)
  const agent = await startAgent(t, redis.url, 'term', 'box-1')
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'term', reconcileInterval: '500ms' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const pids: Array<number | null> = []
  pm.runOnStart((info) => pids.push(info.pid))
  const job = await pm.start('long', { worker: worker('sleep'), data: 30_000 })
  t.ok(await eventually(() => pids.length === 1, 10_000), 'it runs on the agent')
  const exited = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)))
  agent.kill('SIGTERM')
  t.equal(await exited, 0, 'the agent exits cleanly')
  t.notOk(alive(pids[0]!), "the job's process is gone")
  t.match(await job.result, { ok: false, host: 'box-1' }, 'the job settled once, not ok')
})

t.test('more jobs waiting than one poll reads (500): the poll reads the silent ones in batches, and each settles once when ' +
  'cancelled', async (t) => {
  const redis = await startRedis(t)
  const pm = new ForkManager({ maxProcs: 600, backend: redisBackend({ url: redis.url, queue: 'many', reconcileInterval: '100ms' }) })
  const handles = await Promise.all(Array.from({ length: 600 }, (_, i) => pm.start(`w${i}`, { command: 'true' })))
  // No agent: every job waits. The test's point is that ten polls (100 ms apart) meanwhile find each still queued.
  await sleep(1000)
  t.same(pm.inFlight().filter((r) => r.state === 'queued').length, 600, 'all still waiting')
  await pm.shutdown({ grace: 100 })
  const results = await Promise.all(handles.map((h) => h.result))
  t.equal(results.filter((r) => r.cancelled && r.attempts === 0).length, 600, 'each taken off the queue, never run')
})
