// What Redis's access rules and a Redis that stops answering for a while do to the producer and
// the agent. ACL users take away one command at a time, which makes the paths that depend on a
// race elsewhere certain here: a producer whose event reader may not read (every start and result
// comes through the poll), an agent that may not subscribe to stop orders.
import t, { type Test } from 'tap'
import { ForkManager, type JobResult } from '../../dist/lib/index.js'
import { redisBackend, startAgent as startAgentHere } from '../../dist/lib/remote/index.js'
import { startAgent, startRedis, type TestRedis } from '../helpers/redis.js'
import { eventually } from '../helpers/wait.js'

/** `redis+unix://user:password@localhost/path`: how a unix socket's URL carries a user. */
const asUser = (socket: string, user: string): string => `redis+unix://${user}:pw@localhost${socket}`

t.test('an agent whose user may not subscribe does not start, and says what Redis refused', async (t) => {
  const redis = await startRedis(t)
  await redis.client.call('ACL', 'SETUSER', 'nosub', 'on', '>pw', '~*', '&*', '+@all', '-subscribe')
  const refused = await startAgentHere({ url: asUser(redis.socket, 'nosub'), queue: 'q', maxProcs: 1, root: '/tmp', name: 'box-n' }).then(
    async (agent) => {
      await agent.close()
      return 'started'
    },
    (error: Error) => error.message
  )
  t.match(refused, /^agent box-n: cannot reach Redis at redis\+unix:\/\/nosub:\*\*\*@.*NOPERM.*subscribe/i)
})

/** A producer (ACL user `prod`) whose event reader may no longer read, once its connections are open: its events pile up unread. */
async function deafProducer(t: Test, redis: TestRedis, queue: string): Promise<ForkManager> {
  await redis.client.call('ACL', 'SETUSER', 'prod', 'on', '>pw', '~*', '&*', '+@all')
  const pm = new ForkManager({
    maxProcs: 4, backend: redisBackend({ url: asUser(redis.socket, 'prod'), queue, reconcileInterval: '200ms' }),
  })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  // A first job opens the producer's connections, its event reader among them (taken back if no agent runs it).
  const first = await pm.start('first', { command: 'true' })
  first.cancel()
  await first.result
  let reader: string | undefined
  t.ok(await eventually(async () => {
    reader = String(await redis.client.call('CLIENT',
      'LIST')).split('\n').find((line) => / user=prod /.test(line) && / cmd=xread/.test(line))
    return reader !== undefined
  }, 5000), 'the event reader, blocked in XREAD')
  // Reconnected, its XREAD is refused.
  await redis.client.call('ACL', 'SETUSER', 'prod', '-xread')
  await redis.client.call('CLIENT', 'KILL', 'ID', /(?:^| )id=(\d+)/.exec(reader!)![1]!)
  return pm
}

t.test('a producer whose event reader may no longer read: every start and result comes by the poll', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'acl', 'box-1', ['--allow-commands'])
  const pm = await deafProducer(t, redis, 'acl')
  const order: string[] = []
  // When each callback ran: a start learnt only with the result would be heard at the end.
  const heard = new Map<string, number>()
  pm.runOnStart(({ ident, pid, host }) => {
    order.push(`start ${ident} ${host} ${pid === null ? 'no pid' : 'pid'}`)
    heard.set(`start ${ident}`, Date.now())
  })
  pm.runOnFinish((r: JobResult) => {
    order.push(`end ${r.ident}`)
    heard.set(`end ${r.ident}`, Date.now())
  })
  // Long enough for the agent's start report (after 50 ms) and a poll to see it before the end.
  const handles = await Promise.all([1,
    2].map((i) => pm.start(`j${i}`, { command: 'sh', args: ['-c', `sleep 1; echo ${i}`], capture: true })))
  const results = await Promise.all(handles.map((h) => h.result))
  for (const r of results) t.match(r, { ok: true, host: 'box-1' }, r.ident)
  for (const [i, ident] of ['j1', 'j2'].entries()) {
    const start = order.indexOf(`start ${ident} box-1 pid`)
    t.ok(start !== -1 && start < order.indexOf(`end ${ident}`), `${ident}: runOnStart with the agent's name and pid, before runOnFinish`)
    // The poll saw the start while the job ran (its sleep is 1 s), not with its result.
    const early = heard.get(`end ${ident}`)! - heard.get(`start ${ident}`)!
    t.ok(early > 300, `${ident}: runOnStart ${early} ms before runOnFinish`)
    t.equal(results[i]!.stdout, `${i + 1}\n`)
  }
})

t.test('Redis that answers only after connectTimeout: that start() fails saying so; once it answers, the next one runs', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'slow', 'box-1', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue: 'slow', connectTimeout: '500ms' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  // Stopped, the server keeps its socket: the connection is made, and nothing answers.
  redis.process.kill('SIGSTOP')
  t.teardown(() => redis.process.kill('SIGCONT'))
  const late = await (await pm.start('late', { command: 'true' })).result
  t.match(late, {
    ok: false, error: {
      name: 'RedisUnreachableError', code: 'ERR_FORKPOOL_REDIS_UNREACHABLE', message: /cannot reach Redis at redis\+unix:.*within 500 ms/,
    },
  })
  redis.process.kill('SIGCONT')
  // The late answer opens the queue and its event reader; the next start() asks again, and runs.
  t.match(await (await pm.start('next', { command: 'true' })).result, { ok: true, host: 'box-1' })
})

t.test('a job the queue failed, with no event to say so: the poll finds it failed, and says why', async (t) => {
  const redis = await startRedis(t)
  const pm = await deafProducer(t, redis, 'acl-f')
  // Not an agent: a plain BullMQ worker whose processor throws, so BullMQ itself fails the job.
  const { Worker } = await import('bullmq')
  const raw = new Worker('acl-f', async () => {
    throw new Error('refused by a plain BullMQ worker')
  }, { connection: { path: redis.socket, maxRetriesPerRequest: null } })
  t.teardown(() => raw.close())
  const r = await (await pm.start('failed', { command: 'true' })).result
  t.match(r, {
    ok: false, exitCode: null, error: {
      name: 'QueueError', code: 'ERR_FORKPOOL_QUEUE', message: /the queue failed the job: refused by a plain BullMQ worker/,
    },
  })
})
