// What BullMQ decides about a job, seen from forkpool: an agent that lost a job's lock stops its
// run there, and the job runs again (ctx.attempt counting the runs, retries on top), also on the
// same agent while the lost run still winds down there; a job lost more often than
// maxStalledCount allows fails with WorkerLostError; a job BullMQ failed for another reason
// says why; a stop that reaches the agent before the job does keeps it from beginning; a Redis
// that refuses the job (out of memory) fails only that start().
import t from 'tap'
import type { Test } from 'tap'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { ForkManager, WorkerLostError, type JobHandle } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { stopChannel } from '../../dist/lib/remote/wire.js'
import { worker } from '../helpers/paths.js'
import { eventually, sleep, untilFile } from '../helpers/wait.js'
import { alive, startAgent, startRedis, type TestRedis } from '../helpers/redis.js'

// Each subtest has a Redis and agents of its own and mostly waits (for locks, stalls, reconnects):
// they run 3 at once.
t.jobs = 3

/** The lock of the one job an agent of `queue` holds, taken away, as if that agent had been cut off from Redis past lockDuration. */
async function takeLock(t: Test, redis: TestRedis, queue: string): Promise<void> {
  const locks = await redis.client.keys(`bull:${queue}:*:lock`)
  t.equal(locks.length, 1, 'one job locked')
  await redis.client.del(locks[0]!)
}

/** The id of the one job waiting in `queue`. */
async function waitingJob(redis: TestRedis, queue: string): Promise<string> {
  const ids = await redis.client.lrange(`bull:${queue}:wait`, 0, -1)
  return ids[0]!
}

t.test('an agent that lost the lock of a running job stops its run; the job runs again (ctx.attempt 2), and a failed re-run is retried ' +
  '(ctx.attempt 3)', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'll', 'box-1', ['-j', '1'])
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'll', reconcileInterval: '1s' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const dir = t.testdir({})
  const job = await pm.start('probe', { worker: worker('attempt-probe'), data: { dir, hang: [1], fail: [2] } }, { retries: 2 })
  t.ok(await untilFile(join(dir, 'attempt-1'), 10_000), 'the first run is under way')
  const firstPid = Number(readFileSync(join(dir, 'attempt-1'), 'utf8'))
  await takeLock(t, redis, 'll')
  t.ok(await eventually(() => !alive(firstPid), 10_000), 'the agent stopped the run whose lock it lost')
  const r = await job.result
  t.match(r, { ok: true, data: 3, attempts: 3, host: 'box-1' }, 'run 2 (the stall re-run) failed, the retry ran as attempt 3')
  t.ok(existsSync(join(dir, 'attempt-2')), 'the re-run saw ctx.attempt 2')
})

/**
 * A job whose run on the one agent (room for two) loses its lock, and whose re-run comes to the
 * same agent while the lost run still winds down (4 s, inside the 5 s kill grace).
 */
async function reRunBesideLostRun(t: Test, queue: string): Promise<{ redis: TestRedis; job: JobHandle; secondPid: number }> {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, queue, 'box-1', ['-j', '2'])
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue, reconcileInterval: '1s' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const dir = t.testdir({})
  const job = await pm.start('probe', { worker: worker('attempt-probe'), data: { dir, hang: [1, 2], linger: 4000 } })
  t.ok(await untilFile(join(dir, 'attempt-1'), 10_000), 'the first run is under way')
  const firstPid = Number(readFileSync(join(dir, 'attempt-1'), 'utf8'))
  await takeLock(t, redis, queue)
  t.ok(await untilFile(join(dir, 'attempt-2'), 10_000), 'the job runs again, on the same agent')
  const secondPid = Number(readFileSync(join(dir, 'attempt-2'), 'utf8'))
  t.ok(alive(firstPid), 'while its lost run still winds down')
  t.ok(await eventually(() => !alive(firstPid), 10_000), 'the lost run was stopped and ended')
  // BullMQ renews locks by job id, and the lost run's end took the job off its renewals: past the
  // 4 s lock, an unrenewed re-run would be taken for stalled (and, past maxStalledCount 1, failed).
  await sleep(6000)
  t.notOk(existsSync(join(dir, 'attempt-3')), 'the re-run kept its lock: no third run')
  t.ok(alive(secondPid), 'the re-run still runs')
  return { redis, job, secondPid }
}

t.test('a re-run that comes to the agent whose run was lost, while that run still winds down: the lost run is stopped, the re-run keeps ' +
  'its lock, and a cancel reaches it', async (t) => {
  const { job, secondPid } = await reRunBesideLostRun(t, 'rr')
  job.cancel()
  t.match(await job.result, { ok: false, cancelled: true, attempts: 2, host: 'box-1' }, 'the cancel reached the re-run')
  t.ok(await eventually(() => !alive(secondPid), 10_000), 'and stopped it')
})

t.test('such a re-run that loses its own lock stops, as any run that lost its lock', async (t) => {
  const { redis, job, secondPid } = await reRunBesideLostRun(t, 'rl')
  await takeLock(t, redis, 'rl')
  t.ok(await eventually(() => !alive(secondPid), 15_000), 'the agent stopped the re-run whose lock it lost')
  t.match(await job.result, { ok: false, error: { name: 'WorkerLostError' } }, 'lost twice, past maxStalledCount 1')
})

t.test('a job lost more often than the agents\' maxStalledCount allows: WorkerLostError, not run again', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'ms', 'box-1', ['-j', '1', '--max-stalled-count', '0'])
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'ms', reconcileInterval: '1s' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const dir = t.testdir({})
  const job = await pm.start('probe', { worker: worker('attempt-probe'), data: { dir, hang: [1] } })
  t.ok(await untilFile(join(dir, 'attempt-1'), 10_000))
  await takeLock(t, redis, 'ms')
  const r = await job.result
  t.match(r, { ok: false, attempts: 1, error: { name: 'WorkerLostError', code: WorkerLostError.code, message: /maxStalledCount/ } })
  t.notOk(existsSync(join(dir, 'attempt-2')), 'no second run')
})

t.test('a job the queue failed for another reason (its data unreadable on the agent) settles with that reason; a stop that came before ' +
  'its job keeps the job from beginning', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'qf', 'box-1', ['-j', '1'])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'qf', reconcileInterval: '1s' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const dir = t.testdir({})
  const starts: string[] = []
  pm.runOnStart((info) => starts.push(info.ident))
  // The agent's one slot is taken while the next jobs wait in Redis.
  const busy = await pm.start('busy', { worker: worker('sleep'), data: 30_000 })
  t.ok(await eventually(() => starts.includes('busy'), 10_000))
  const broken = await pm.start('broken', { worker: worker('add-one'), data: 1 })
  const brokenId = await waitingJob(redis, 'qf')
  const wire = JSON.parse((await redis.client.hget(`bull:qf:${brokenId}`, 'data'))!) as { spec: string }
  await redis.client.hset(`bull:qf:${brokenId}`, 'data', JSON.stringify({ ...wire, spec: 'not v8 at all' }))
  t.match(await finishBusyThen(busy, broken), {
    ok: false, error: { name: 'QueueError', code: 'ERR_FORKPOOL_QUEUE', message: /^the queue failed the job: / },
  })

  const busy2 = await pm.start('busy-2', { worker: worker('sleep'), data: 30_000 })
  t.ok(await eventually(() => starts.includes('busy-2'), 10_000))
  const early = await pm.start('early', { worker: worker('attempt-probe'), data: { dir } })
  // Its stop order reaches the agent while the job still waits (as when a cancel crosses the agent's take).
  await redis.client.publish(stopChannel('qf'), JSON.stringify({ jobId: await waitingJob(redis, 'qf'), signal: 'SIGTERM' }))
  await sleep(300) // the agent reads the order from its subscription; nothing outside it shows that it has
  t.match(await finishBusyThen(busy2, early), { attempts: 0, pid: null }, 'never begun')
  t.notOk(existsSync(join(dir, 'attempt-1')), 'its worker was never called')
  t.notOk(starts.includes('early'), 'no runOnStart for it')
})

/** Cancels `busy`, freeing the agent's slot, and resolves with `next`'s result. */
async function finishBusyThen(busy: { cancel(): void }, next: { result: Promise<unknown> }): Promise<unknown> {
  busy.cancel()
  return next.result
}

t.test('a Redis that refuses the job (out of memory): that start() settles with the reason; the jobs before and after run', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'oom', 'box-1')
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'oom' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  t.match(await (await pm.start('before', { worker: worker('add-one'), data: 1 })).result, { ok: true, data: 2 })
  await redis.client.config('SET', 'maxmemory', '1')
  t.match(await (await pm.start('refused', { worker: worker('add-one'), data: 1 })).result, {
    ok: false, error: {
      name: 'QueueError', code: 'ERR_FORKPOOL_QUEUE', message: /^cannot queue job "refused" on Redis at redis\+unix:.*OOM/,
    },
  })
  await redis.client.config('SET', 'maxmemory', '0')
  t.match(await (await pm.start('after', { worker: worker('add-one'), data: 2 })).result, { ok: true, data: 3 })
})
