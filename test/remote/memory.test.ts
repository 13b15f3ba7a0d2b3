// Redis memory stays bounded however many jobs pass: a queue keeps the records of its finished
// jobs (where the reconciling poll reads a result whose event was missed) by age, keepResults,
// and by count, keepResultsCount, its newest; BullMQ trims the older ones as jobs finish.
import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { startAgent, startRedis } from '../helpers/redis.js'

t.test('keepResultsCount: the queue keeps the records of its newest finished jobs only', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'kept', 'box-1')
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'kept', keepResultsCount: 5 }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const handles = await Promise.all(Array.from({ length: 30 }, (_, i) => pm.start(`k${i}`, { worker: worker('add-one'), data: i })))
  const results = await Promise.all(handles.map((h) => h.result))
  t.ok(results.every((r, i) => r.ok && r.data === i + 1), 'every job ran')
  t.equal(await redis.client.zcard('bull:kept:completed'), 5, 'five finished jobs kept')
  // A job's record is its hash: bull:kept:<id>.
  const records = (await redis.client.keys('bull:kept:*')).filter((key) => /^bull:kept:[0-9a-f]{8}-\d+$/.test(key))
  t.equal(records.length, 5, 'and five job records')
})

t.test('keepResultsCount is checked at the call', async (t) => {
  t.throws(() => redisBackend({ url: 'redis://127.0.0.1:1/0', queue: 'q', keepResultsCount: 0 }), RangeError)
  t.throws(() => redisBackend({ url: 'redis://127.0.0.1:1/0', queue: 'q', keepResultsCount: '5' as never }), TypeError)
})
