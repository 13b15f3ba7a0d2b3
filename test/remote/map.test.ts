import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { startAgent, startRedis } from '../helpers/redis.js'

type Doubled = { doubled: number; jobId: string; attempt: number }

t.test('remote map(): per-item results in order, chunks sized for the queue hop (~500 ms, not ~50)', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'm1', 'box-1')
  await startAgent(t, redis.url, 'm1', 'box-2')
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'm1' }) })
  t.teardown(() => pm.shutdown())
  const items = Array.from({ length: 1500 }, (_, i) => i)
  const results = []
  for await (const r of pm.map<Doubled, number>(items, { worker: worker('slow-double') }, { ordered: true })) results.push(r)
  t.same(results.map((r) => r.index), items, 'every item once, in input order')
  t.ok(results.every((r, i) => r.ok && r.data!.doubled === 2 * i), 'each item its own result')
  // Items of one chunk share its queue job: at 2 ms an item, a 50 ms target would stop near 25 items.
  const perChunk = new Map<string, number>()
  for (const r of results) perChunk.set(r.data!.jobId, (perChunk.get(r.data!.jobId) ?? 0) + 1)
  t.ok(Math.max(...perChunk.values()) > 100, `the largest chunk held ${Math.max(...perChunk.values())} items`)
  // An item that throws fails only itself, across the hop as here.
  const mixed = await pm.map<unknown, { mode: string; value?: number }>([{ mode: 'ok', value: 1 }, { mode: 'throw' },
    { mode: 'ok', value: 2 }], { worker: worker('faults') }, { ordered: true }).all()
  t.same(mixed.map((r) => r.ok), [true, false, true])
  t.equal(mixed[1]!.exitCode, 1)
  t.match(mixed[1]!.error, { message: /./ })
})

t.test('remote map() over 10,000 items, an agent SIGKILLed half-way: exactly one result per item, all ok', async (t) => {
  const redis = await startRedis(t)
  const doomed = await startAgent(t, redis.url, 'm2', 'box-1')
  await startAgent(t, redis.url, 'm2', 'box-2')
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'm2' }) })
  t.teardown(() => pm.shutdown())
  const items = Array.from({ length: 10_000 }, (_, i) => i)
  let killed = false
  const results = await pm.map<Doubled, number>(items, { worker: worker('slow-double') }, {
    onProgress: (done) => {
      if (!killed && done >= 5000) {
        killed = true
        doomed.kill('SIGKILL')
      }
    },
  }).all()
  t.ok(killed, 'the agent was killed half-way')
  t.equal(results.length, 10_000)
  const indexes = new Set(results.map((r) => r.index))
  t.equal(indexes.size, 10_000, 'one result per item')
  const bad = results.filter((r, i) => !r.ok || r.index !== i || r.data!.doubled !== 2 * i)
  t.same(bad, [], 'all ok, each with its own value')
  t.ok(results.some((r) => r.data!.attempt === 2), 'the killed agent\'s chunks ran again elsewhere (ctx.attempt 2)')
})

t.test('remote map() of a worker file outside the agent\'s --root: every item refused, as a single job would be', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'm3', 'box-1')
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'm3' }) })
  t.teardown(() => pm.shutdown())
  // The chunk worker is forkpool's own (under the agents' --root here); the real worker is not.
  const outside = new URL('../fixtures/workers/echo-size.mjs', import.meta.url).pathname
  const results = await pm.map([1, 2, 3], { worker: outside }, { ordered: true }).all()
  t.same(results.map((r) => r.ok), [false, false, false])
  for (const r of results) {
    t.match(r.error, {
      name: 'JobRefusedError', code: 'ERR_FORKPOOL_JOB_REFUSED', message: new RegExp(`worker ${outside} is outside --root`),
    })
  }
})

t.test('remote map() of items too big together for maxDataBytes: chunks are split under it, every item ok', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'm4', 'box-1')
  await startAgent(t, redis.url, 'm4', 'box-2')
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'm4', maxDataBytes: '512KB' }) })
  t.teardown(() => pm.shutdown())
  // 6,000 items of 1 KB: auto chunks grow toward 4,096 items (growth 4x a chunk), eight times the limit.
  const items = Array.from({ length: 6000 }, (_, i) => `${i}:`.padEnd(1024, 'x'))
  const results = await pm.map<string, string>(items, { worker: worker('echo-data') }, { ordered: true }).all()
  t.equal(results.length, items.length)
  const bad = results.filter((r, i) => !r.ok || r.index !== i || r.data !== items[i])
  t.same(bad.slice(0, 3), [], `every item ok, in order, with its own data (${bad.length} not)`)
})
