// When Redis misbehaves: restarted mid-batch (its data kept), killed with its data lost, and a
// producer's event connection dropped with the events it would have read gone. Every start()
// settles once, within a bound, never hangs.
import t from 'tap'
import { ForkManager, JobLostError, type JobResult } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { startAgent, startRedis } from '../helpers/redis.js'
import { eventually } from '../helpers/wait.js'

// Each subtest has a Redis and agents of its own and mostly waits (for locks, stalls, reconnects):
// they run 4 at once.
t.jobs = 4

const settledOnce = (pm: ForkManager): Map<string, number> => {
  const counts = new Map<string, number>()
  pm.runOnFinish((r) => counts.set(r.ident, (counts.get(r.ident) ?? 0) + 1))
  return counts
}

t.test('Redis restarted mid-batch (SIGTERM, same socket, AOF): every job settles once; the agents take jobs again', async (t) => {
  const redis = await startRedis(t, { persist: true })
  await startAgent(t, redis.url, 'rs', 'box-1', ['--allow-commands'])
  await startAgent(t, redis.url, 'rs', 'box-2', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'rs', reconcileInterval: '500ms' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const counts = settledOnce(pm)
  const handles = await Promise.all(Array.from({ length: 8 }, (_, i) => pm.start(`b${i}`, { command: 'sleep', args: ['0.5'] })))
  await redis.stop('SIGTERM')
  await redis.restart()
  const results = await Promise.all(handles.map((h) => h.result))
  for (const r of results) t.equal(counts.get(r.ident), 1, `${r.ident} settled once (ok: ${r.ok})`)
  t.ok(results.filter((r) => r.ok).length >= 1, 'jobs still finish')
  const after = await (await pm.start('after', { command: 'true' })).result
  t.match(after, { ok: true }, 'the agents take jobs after the restart')
})

t.test('Redis killed and its data lost: the jobs waiting settle with a JobLostError within the reconcile bound', async (t) => {
  const redis = await startRedis(t)
  // No agent: the jobs wait in Redis.
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'dl', reconcileInterval: '500ms' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const handles = await Promise.all([1, 2, 3].map((i) => pm.start(`w${i}`, { command: 'true' })))
  await redis.stop('SIGKILL')
  await redis.restart()
  const started = Date.now()
  const results = await Promise.all(handles.map((h) => h.result))
  for (const r of results) {
    t.match(r, {
      ok: false, error: { name: 'JobLostError', code: JobLostError.code, message: /vanished from Redis/ },
    })
  }
  t.ok(Date.now() - started < 10_000, 'within a few reconcile intervals')
})

t.test('Redis gone for good: the jobs in flight settle with a JobLostError after lostAfter', async (t) => {
  const redis = await startRedis(t)
  const pm = new ForkManager({
    maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'gone', reconcileInterval: '300ms', lostAfter: '1s' }),
  })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const h = await pm.start('w', { command: 'true' })
  await redis.stop('SIGKILL')
  t.match(await h.result, { ok: false, error: { name: 'JobLostError', message: /unreachable/ } })
})

t.test('Redis that stops answering, its connections open (SIGSTOP): the poll sees it, and the jobs settle after lostAfter', async (t) => {
  const redis = await startRedis(t)
  const pm = new ForkManager({
    maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'mute', reconcileInterval: '300ms', lostAfter: '1s' }),
  })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const h = await pm.start('w', { command: 'true' })
  redis.process.kill('SIGSTOP')
  t.teardown(() => redis.process.kill('SIGCONT'))
  // No connection closes, so no outage clock: the failing polls are what count the time.
  t.match(await h.result, {
    ok: false, error: { name: 'JobLostError', message: /has been unreachable for \d+ ms \(lostAfter 1000 ms\): / },
  })
})

t.test('a missed result event (the event connection killed, the events trimmed): every result still arrives by the poll', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'ev', 'box-1', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'ev', reconcileInterval: '500ms' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const counts = settledOnce(pm)
  const handles = await Promise.all(Array.from({ length: 6 },
    (_, i) => pm.start(`e${i}`, { command: 'sh', args: ['-c', `sleep 0.5; echo ${i}`], capture: true })))
  // The producer's QueueEvents connection is the one blocked in XREAD.
  // Between two reads (an event just came) it is not in XREAD for a moment: looked for until it is.
  let clients: string[] = []
  const readers = async (): Promise<boolean> => {
    clients = String(await redis.client.call('CLIENT', 'LIST')).split('\n').filter((line) => / cmd=xread/.test(line))
    return clients.length === 1
  }
  t.ok(await eventually(readers, 5000), 'one event reader')
  const id = /(?:^| )id=(\d+)/.exec(clients[0]!)![1]!
  await redis.client.call('CLIENT', 'KILL', 'ID', id)
  // Once the jobs have ended (BullMQ keeps them in its completed set, as the backend asks), every
  // event of the queue is dropped before the reader is back.
  t.ok(await eventually(async () => await redis.client.zcard('bull:ev:completed') === 6, 10_000), 'the six jobs ended on the agent')
  await redis.client.del('bull:ev:events')
  const results: JobResult[] = await Promise.all(handles.map((h) => h.result))
  results.forEach((r, i) => t.match(r, { ok: true, stdout: `${i}\n` }, r.ident))
  for (const r of results) t.equal(counts.get(r.ident), 1)
})
