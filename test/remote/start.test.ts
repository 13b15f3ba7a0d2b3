// runOnStart fires when an agent starts a remote job (its host and pid), not when the job is
// queued; the timeout runs on the agent from that start, and its kill escalation there too.
import t from 'tap'
import { ForkManager, type JobStartInfo } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { eventually } from '../helpers/wait.js'
import { startAgent, startRedis } from '../helpers/redis.js'

t.test('runOnStart when an agent takes the job; inFlight() shows it queued (host null) until then; the timeout counts from that ' +
  'start', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'st', 'box-1', ['--allow-commands', '-j', '1'])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'st' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const starts: JobStartInfo[] = []
  pm.runOnStart((info) => starts.push(info))
  const first = await pm.start('first', { command: 'sleep', args: ['1.5'] })
  // Waits in Redis behind `first` longer than its own timeout: only its run there counts.
  const second = await pm.start('second', { command: 'sleep', args: ['0.2'] }, { timeout: '1s' })
  t.equal(second.host, null, "a remote job's handle has no host yet")
  t.ok(await eventually(() => starts.length === 1))
  t.match(starts[0], { ident: 'first', host: 'box-1', kind: 'command' })
  t.type(starts[0]!.pid, 'number')
  const waiting = pm.inFlight().find((r) => r.ident === 'second')!
  t.match(waiting, { state: 'queued', host: null, pid: null })
  t.match(pm.inFlight().find((r) => r.ident === 'first'), { state: 'running', host: 'box-1' })
  const r1 = await first.result
  const r2 = await second.result
  t.match(r2, { ok: true, timedOut: false, host: 'box-1' }, 'not timed out by its wait in the queue')
  t.equal(starts.length, 2)
  t.ok(starts[1]!.startedAt >= r1.startedAt + 1400, 'second started once first had ended')
  t.equal(r2.pid, starts[1]!.pid, "the result's pid is the one runOnStart saw")
})

t.test('a timeout on the agent: TERM, then KILL after the kill grace for a job that ignores TERM', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'to', 'box-1', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'to' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const polite = await pm.start('polite', { command: 'sleep', args: ['30'] }, { timeout: '500ms' })
  const deaf = await pm.start('deaf', { command: 'sh', args: ['-c', 'trap "" TERM; sleep 30'] }, { timeout: '500ms', killGrace: '500ms' })
  const sleeper = await pm.start('worker', {
    worker: new URL('../../dist/workers/sleep.js', import.meta.url).pathname, data: 30_000,
  }, { timeout: '500ms' })
  t.match(await polite.result, { ok: false, timedOut: true, cancelled: false, signal: 'SIGTERM', host: 'box-1' })
  const d = await deaf.result
  t.match(d, { timedOut: true, signal: 'SIGKILL' })
  t.ok(d.durationMs < 10_000, "ended by the agent's KILL, long before the producer's safety bound")
  t.match(await sleeper.result, { timedOut: true, ok: false, host: 'box-1' }, 'a worker job too')
})

t.test('maxProcs 0 (the serial mode) with a backend: start() resolves once the job has ended there, as it does locally', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'serial', 'box-1', ['--allow-commands', '-j', '1'])
  const pm = new ForkManager({ maxProcs: 0, backend: redisBackend({ url: redis.url, queue: 'serial' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const finished: string[] = []
  pm.runOnFinish((r) => finished.push(r.ident))
  const handle = await pm.start('one', { command: 'sleep', args: ['0.2'] })
  t.same(finished, ['one'], 'ended before start() resolved')
  t.match(await handle.result, { ok: true, host: 'box-1' })
})
