// A start() while Redis is away: ioredis gives a command up after about 10 s of reconnecting
// (maxRetriesPerRequest), but a job sent during an outage shorter than lostAfter waits for Redis
// as the jobs already in flight do, and runs once it is back (found by the remote soak: its 30 s
// outage failed the jobs and map() chunks sent meanwhile with "cannot queue job"). Past lostAfter,
// or once the backend is closed, that start() settles saying why.
import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { sleep } from '../helpers/wait.js'
import { startAgent, startRedis } from '../helpers/redis.js'

// Each subtest has a Redis and agents of its own and mostly waits (for locks, stalls, reconnects):
// they run 3 at once.
t.jobs = 3

t.test('a job sent while Redis is away past ioredis\'s retries (13 s) is queued once Redis is back, and runs once', async (t) => {
  const redis = await startRedis(t, { persist: true })
  await startAgent(t, redis.url, 'away', 'box-1')
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'away' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  let finishes = 0
  pm.runOnFinish(() => finishes++)
  t.match(await (await pm.start('before', { worker: worker('add-one'), data: 1 })).result, { ok: true, data: 2 })
  await redis.stop('SIGTERM')
  const sent = pm.start('during', { worker: worker('add-one'), data: 2 })
  await sleep(13_000)
  await redis.restart()
  const r = await (await sent).result
  t.match(r, { ok: true, data: 3, host: 'box-1', attempts: 1 }, 'it ran, once')
  t.equal(finishes, 2)
})

t.test('a job cancelled while its add waits for Redis is taken off the queue once Redis has it: it never runs', async (t) => {
  const redis = await startRedis(t, { persist: true })
  // No agent: the job can only wait in the queue, or be taken off it.
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'stop-on-add' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  await pm.start('connected', { command: 'true' })
  await redis.stop('SIGTERM')
  const sent = pm.start('during', { command: 'true' })
  await sleep(1000)
  t.equal(pm.cancel('during', 'changed my mind'), 1, 'in flight, its add waiting')
  await redis.restart()
  t.match(await (await sent).result, { cancelled: true, cancelReason: 'changed my mind', pid: null, attempts: 0 })
})

t.test('a job sent while Redis stays away past lostAfter settles saying it could not be queued', async (t) => {
  const redis = await startRedis(t)
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'gone', lostAfter: '2s' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  // No agent: it waits in Redis, and the backend is connected.
  const queued = await pm.start('queued', { command: 'true' })
  const gone = Date.now()
  await redis.stop('SIGKILL')
  const during = await (await pm.start('during', { command: 'true' })).result
  const waited = Date.now() - gone
  t.match(during, {
    ok: false, error: {
      name: 'QueueError', code: 'ERR_FORKPOOL_QUEUE',
      message: /^cannot queue job "during" on Redis at redis\+unix:.*: unreachable for \d+ ms, past lostAfter \(2000 ms\): /,
    },
  })
  // It was 10.5 s: ioredis's own 20 reconnection attempts, whatever lostAfter said.
  t.ok(waited >= 2000 && waited < 6000, `settled ${waited} ms after Redis went away: past lostAfter, not ioredis's 10 s later`)
  t.match(await queued.result, {
    ok: false, error: { name: 'JobLostError', message: /has been unreachable for \d+ ms \(lostAfter 2000 ms\)/ },
  })
  // It was up to lostAfter plus two reconcileIntervals (14 s here): the first poll that failed past lostAfter.
  const lost = Date.now() - gone
  t.ok(lost < 5000, `lost ${lost} ms after Redis went away, at lostAfter, not at a later poll`)
})

t.test('a job whose add waits for Redis settles when the backend is closed', async (t) => {
  const redis = await startRedis(t)
  const backend = redisBackend({ url: redis.url, queue: 'closing' })
  const pm = new ForkManager({ maxProcs: 2, backend })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const queued = await pm.start('queued', { command: 'true' })
  await redis.stop('SIGKILL')
  const during = pm.start('during', { command: 'true' })
  await sleep(1000)
  const closedAt = Date.now()
  await backend.close()
  t.match(await (await during).result, { ok: false, error: { message: /^cannot queue job "during"/ } })
  t.ok(Date.now() - closedAt < 3000, 'at once, not after the add\'s retries')
  t.match(await queued.result, { ok: false, error: { name: 'JobLostError', message: /closed/ } })
})
