// An agent honours the job's isolation: 'process-pool' jobs run in processes it reuses, 'thread'
// jobs on its threads, 'process' jobs each in a fresh process; ctx.jobId and ctx.attempt reach the
// worker in each, and the timeout, its kill escalation and a cancel work there as locally.
import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'
import { startAgent, startRedis } from '../helpers/redis.js'

t.test('each isolation on the agent: ctx.jobId and ctx.attempt; pooled processes are reused, fresh ones are not', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'iso', 'box-1', ['-j', '1'])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'iso' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  for (const isolation of ['process-pool', 'thread', 'process'] as const) {
    const runs = []
    for (const n of [1, 2]) runs.push(await (await pm.start(`${isolation}-${n}`, { worker: worker('job-context'), isolation })).result)
    for (const r of runs) {
      t.match(r, { ok: true, host: 'box-1', attempts: 1, kind: isolation }, `${r.ident} ran on the agent`)
      t.same(r.data, { ident: r.ident, attempt: 1, jobId: r.jobId }, `${r.ident}: ctx.jobId is its queue id, ctx.attempt 1`)
    }
    t.not(runs[0]!.jobId, runs[1]!.jobId)
    if (isolation === 'process-pool') t.equal(runs[0]!.pid, runs[1]!.pid, 'the second pooled job ran in the process of the first')
    if (isolation === 'process') t.not(runs[0]!.pid, runs[1]!.pid, 'a fresh process each')
    if (isolation === 'thread') t.equal(runs[0]!.pid, null, 'a thread has no pid of its own')
  }
})

t.test('pooled and thread jobs on the agent: the timeout from their start there, KILL after the grace for a deaf job, cancel by ' +
  'handle', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'iso2', 'box-1', ['-j', '6'])
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'iso2' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const starts: string[] = []
  pm.runOnStart((info) => starts.push(info.ident))
  for (const isolation of ['process-pool', 'thread'] as const) {
    const polite = await pm.start(`${isolation}-polite`, { worker: worker('sleep'), data: 30_000, isolation }, { timeout: '500ms' })
    // A synchronous loop cannot hear its stop: the agent's KILL after the grace ends it.
    const deaf = await pm.start(`${isolation}-deaf`, {
      worker: worker('faults'), data: { mode: 'busy', ms: 30_000 }, isolation,
    }, { timeout: '500ms', killGrace: '300ms' })
    const cancelled = await pm.start(`${isolation}-cancelled`, { worker: worker('sleep'), data: 30_000, isolation })
    t.ok(await eventually(() => starts.includes(cancelled.ident), 10_000), `${isolation}: started on the agent`)
    cancelled.cancel()
    t.match(await polite.result, {
      ok: false, timedOut: true, cancelled: false, host: 'box-1', kind: isolation,
    }, `${isolation}: timed out on the agent`)
    const d = await deaf.result
    t.match(d, { ok: false, timedOut: true, host: 'box-1' }, `${isolation}: a deaf job timed out too`)
    t.ok(d.durationMs < 10_000, `${isolation}: ended by the agent, long before the producer's safety bound`)
    t.match(await cancelled.result, {
      ok: false, cancelled: true, timedOut: false, host: 'box-1',
    }, `${isolation}: cancelled while running there`)
  }
})
