import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { join } from 'node:path'
import { worker } from '../helpers/paths.js'
import { startAgent, startRedis } from '../helpers/redis.js'
import { untilFile } from '../helpers/wait.js'

t.test('worker and command jobs run on an agent and settle with a JobResult', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'q1', 'box-1', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'q1' }) })
  const results = await Promise.all([
    pm.start('job-1', { worker: worker('add-one'), data: 41 }).then((h) => h.result),
    pm.start('job-2', { command: 'sh', args: ['-c', 'echo hi; exit 3'], capture: true }).then((h) => h.result),
  ])
  t.equal(results[0].data, 42)
  t.equal(results[0].exitCode, 0)
  t.equal(results[1].exitCode, 3)
  t.equal(results[1].stdout, 'hi\n')
  for (const r of results) {
    t.match(r, { host: 'box-1', attempts: 1, jobId: /./ }, 'the agent named, one run, the queue id')
    t.type(r.pid, 'number', "the pid on the agent's machine")
  }
  const ctx = await (await pm.start('job-ctx', { worker: worker('job-context') }, { retries: 1 })).result
  t.same(ctx.data, { ident: 'job-ctx', attempt: 1, jobId: ctx.jobId }, 'ctx.jobId is the result jobId; ctx.attempt 1')
  await pm.shutdown()
})

t.test('structured-clone data both ways', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'q2', 'box-1')
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'q2' }) })
  const data = new Map<string, unknown>([['n', 10n], ['d', new Date(0)], ['s', new Set([1])]])
  const r = await (await pm.start('job-3', { worker: worker('echo-data'), data })).result
  t.same(r.error, null)
  t.same(r.data, data)
  await pm.shutdown()
})

t.test('security: commands refused without --allow-commands, worker outside --root refused', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'q3', 'box-1')
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'q3' }) })
  const cmd = await (await pm.start('job-4', { command: 'true' })).result
  t.match(cmd.error, { name: 'JobRefusedError', code: 'ERR_FORKPOOL_JOB_REFUSED', message: /does not run commands/ })
  const outside = await (await pm.start('job-5', { worker: new URL('../fixtures/workers/echo-size.mjs', import.meta.url).pathname })).result
  t.match(outside.error, { name: 'JobRefusedError', code: 'ERR_FORKPOOL_JOB_REFUSED', message: /outside --root/ })
  await pm.shutdown()
})

t.test('cancel of a running job on an agent; timeout stops it', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'q4', 'box-1', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'q4' }) })
  // The job writes a file once it runs on the agent: a cancel then stops its process (SIGTERM),
  // where one that came while it still waited in Redis would take it off the queue unstarted.
  const running = join(t.testdir({}), 'running')
  const h = await pm.start('job-6', { command: 'sh', args: ['-c', 'touch "$0"; exec sleep 30', running] }, { name: 'long' })
  const timed = await pm.start('job-7', { command: 'sleep', args: ['30'] }, { timeout: '1s' })
  t.ok(await untilFile(running, 10_000), 'the job runs on the agent')
  pm.cancel('long')
  const r = await h.result
  t.equal(r.cancelled, true)
  t.equal(r.signal, 'SIGTERM')
  const rt = await timed.result
  t.equal(rt.timedOut, true)
  await pm.shutdown()
})

t.test('bad input is refused at the call', async (t) => {
  t.throws(() => redisBackend({ url: 'http://x', queue: 'q' }), TypeError)
  t.throws(() => redisBackend({ url: 'redis://127.0.0.1:1/0', queue: 'a b:c' }), TypeError)
  t.throws(() => new ForkManager({ backend: {} as never }), /backend/)
})

t.test('a cancel in the moment between an agent taking a job and reporting its start is sent again with the start', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'q6', 'box-1', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 1, killGrace: '1s', backend: redisBackend({ url: redis.url, queue: 'q6' }) })
  // The job ignores SIGTERM, so it is still running when the agent reports its start (50 ms after
  // it began); the cancel comes before that report, once the job has written its file.
  const running = join(t.testdir({}), 'running')
  const h = await pm.start('job-8', { command: 'sh', args: ['-c', 'trap "" TERM; touch "$0"; sleep 3', running] })
  t.ok(await untilFile(running, 10_000), 'the job runs on the agent')
  h.cancel()
  const r = await h.result
  t.match(r, { cancelled: true, signal: 'SIGKILL', host: 'box-1' }, 'stopped after its grace, its start known')
  await pm.shutdown()
})
