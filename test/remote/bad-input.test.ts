// Bad input, each a clear error, and nothing already queued lost.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer, type Socket } from 'node:net'
import { hostname } from 'node:os'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend, startAgent as startAgentHere } from '../../dist/lib/remote/index.js'
import { checkRedisUrl } from '../../dist/lib/remote/connection.js'
import { worker } from '../helpers/paths.js'
import { startAgent, startRedis } from '../helpers/redis.js'

t.test('URL forms: user and password, rediss:// (TLS), a unix socket; bad ones refused naming the URL, ' +
  'the password never shown', async (t) => {
  t.match(checkRedisUrl('redis://alice:s%40cret@db.example:6380/2'), {
    options: { host: 'db.example', port: 6380, db: 2, username: 'alice', password: 's@cret' }, shown: 'redis://alice:***@db.example:6380/2',
  })
  t.match(checkRedisUrl('rediss://:pw@db.example/0'), {
    options: { host: 'db.example', port: 6379, db: 0, password: 'pw', tls: { servername: 'db.example' } },
  })
  t.match(checkRedisUrl('redis+unix:///run/r.sock?db=3'), { options: { path: '/run/r.sock', db: 3 } })
  t.match(checkRedisUrl('redis://[::1]:7000'), { options: { host: '::1', port: 7000, db: 0 } })
  for (const bad of ['http://x', 'not a url', 42, undefined, 'redis://h/notanumber']) {
    t.throws(() => redisBackend({ url: bad as string, queue: 'q' }), { name: 'TypeError', message: /redisBackend\(\) url/ }, String(bad))
  }
  for (const queue of ['a b', 'a:b', '', 'x'.repeat(101), 7]) {
    t.throws(() => redisBackend({ url: 'redis://127.0.0.1:1/0', queue: queue as string }), {
      name: 'TypeError', message: /queue must be/,
    }, String(queue))
  }
  t.throws(() => redisBackend({ url: 'redis://h', queue: 'q', delivry: 'at-most-once' } as never), {
    name: 'TypeError', message: /did you mean delivery/,
  })
  t.throws(() => redisBackend({ url: 'redis://h', queue: 'q', delivery: 'once' as never }), {
    name: 'RangeError', message: /delivery must be one of/,
  })
  t.throws(() => redisBackend({ url: 'redis://h', queue: 'q', reconcileInterval: 0 }), { name: 'RangeError', message: /reconcileInterval/ })
  t.throws(() => redisBackend({ url: 'redis://h', queue: 'q', lostAfter: Infinity }),
    new RangeError('redisBackend() lostAfter must be a positive, finite duration, got Infinity'))
  t.throws(() => redisBackend({ url: 'redis://h', queue: 'q', maxDataBytes: -1 }), { name: 'RangeError', message: /maxDataBytes/ })
  t.throws(() => new ForkManager({ backend: {} as never }), /backend/)
})

t.test('an unreachable Redis and a wrong password: the job settles with an error saying so, within connectTimeout', async (t) => {
  const redis = await startRedis(t, { extra: ['--requirepass', 'right'] })
  const nowhere = new ForkManager({
    backend: redisBackend({ url: `redis+unix://${redis.socket}.missing`, queue: 'q', connectTimeout: '1s' }),
  })
  t.teardown(() => nowhere.shutdown({ grace: 100 }))
  t.match(await (await nowhere.start('a', { command: 'true' })).result, {
    ok: false, pid: null, error: {
      name: 'RedisUnreachableError', code: 'ERR_FORKPOOL_REDIS_UNREACHABLE',
      message: /cannot reach Redis at redis\+unix:.*within 1000 ms: .*ENOENT/,
    },
  })
  const wrong = new ForkManager({
    backend: redisBackend({
      url: `redis+unix://:wrong@${redis.socket}`.replace('redis+unix://:wrong@', 'redis+unix://:wrong@localhost'), queue: 'q',
      connectTimeout: '1s',
    }),
  })
  t.teardown(() => wrong.shutdown({ grace: 100 }))
  const r = await (await wrong.start('b', { command: 'true' })).result
  t.match(r, { ok: false, error: { message: /WRONGPASS|invalid password|NOAUTH/ } })
  t.notMatch(r.error!.message, /wrong/, 'the password is not shown')
  // An agent with the wrong password does not start: it says why, without the password.
  const refused = await startAgentHere({
    url: `redis+unix://:wrong@localhost${redis.socket}`, queue: 'q', maxProcs: 1, root: '/tmp', name: 'box-x',
  }).then(() => 'started', (error: Error) => error.message)
  t.match(refused, /^agent box-x: cannot reach Redis at redis\+unix:.*(WRONGPASS|invalid password|NOAUTH)/)
  t.notMatch(refused, /wrong/, 'the password is not shown')
  const unnamed = await startAgentHere({
    url: `redis+unix://:wrong@localhost${redis.socket}`, queue: 'q', maxProcs: 1, root: '/tmp',
  }).then(() => 'started', (error: Error) => error.message)
  t.match(unnamed, `agent ${hostname()}: cannot reach Redis`, 'an agent without a name is named by its hostname')
})

t.test('a server that accepts the connection and never answers: the job settles within connectTimeout, saying so', async (t) => {
  const sockets: Socket[] = []
  const mute = createServer((socket) => void sockets.push(socket))
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    mute.close()
  })
  const { port } = mute.address() as { port: number }
  const pm = new ForkManager({ backend: redisBackend({ url: `redis://127.0.0.1:${port}/0`, queue: 'q', connectTimeout: '500ms' }) })
  t.teardown(() => pm.shutdown({ grace: 100 }))
  t.match(await (await pm.start('a', { command: 'true' })).result, {
    ok: false, error: {
      name: 'RedisUnreachableError', code: 'ERR_FORKPOOL_REDIS_UNREACHABLE',
      message: `cannot reach Redis at redis://127.0.0.1:${port}/0 within 500 ms: no answer`,
    },
  })
})

t.test('with the right password; data over maxDataBytes refused at start() and the queued job not lost; refusals on the agent as ' +
  'results', async (t) => {
  const redis = await startRedis(t, { extra: ['--requirepass', 'right'] })
  const url = `redis+unix://:right@localhost${redis.socket}`
  const dir = t.testdir({ 'w.mjs': 'export default () => "v1"\n' })
  await startAgent(t, url, 'bi', 'strict', ['--root', dir])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url, queue: 'bi', maxDataBytes: '64KB' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const queued = await pm.start('fine', { worker: join(dir, 'w.mjs') })
  await t.rejects(pm.start('big', { worker: join(dir, 'w.mjs'), data: 'x'.repeat(100_000) }), {
    name: 'DataTooLargeError', code: 'ERR_FORKPOOL_DATA_TOO_LARGE',
    message: /job "big": its data is \d+ bytes once serialized, over the redisBackend's maxDataBytes \d+/,
  })
  // Serialized once, by the backend's check: its failure is the TypeError a local start() gives.
  await t.rejects(pm.start('fn', { worker: join(dir, 'w.mjs'), data: { f: () => 1 } }), {
    name: 'TypeError', message: /^start\("fn"\): job\.data cannot be sent to a worker \(structured clone failed: .*could not be cloned/,
  })
  t.match(await queued.result, { ok: true, data: 'v1', host: 'strict' }, 'the job queued before is not lost')
  t.match(await (await pm.start('cmd', { command: 'true' })).result, {
    ok: false, error: {
      name: 'JobRefusedError', code: 'ERR_FORKPOOL_JOB_REFUSED',
      message: /agent strict: does not run commands \(start it with --allow-commands\)/,
    },
  })
  t.match(await (await pm.start('outside', { worker: worker('echo-data') })).result, {
    ok: false, error: { name: 'JobRefusedError', code: 'ERR_FORKPOOL_JOB_REFUSED', message: /outside --root/ },
  })
})

t.test('a worker file changed since the producer sent it is refused on the agent', async (t) => {
  const redis = await startRedis(t)
  const dir = t.testdir({ 'w.mjs': 'export default () => "v1"\n' })
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'ch' }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  // No agent yet: the job waits in Redis while its file changes.
  const h = await pm.start('changed', { worker: join(dir, 'w.mjs') })
  writeFileSync(join(dir, 'w.mjs'), 'export default () => "v2"\n')
  await startAgent(t, redis.url, 'ch', 'box-1', ['--root', dir])
  t.match(await h.result, {
    ok: false, error: { name: 'JobRefusedError', code: 'ERR_FORKPOOL_JOB_REFUSED', message: /differs from the producer's/ },
  })
  writeFileSync(join(dir, 'gone.mjs'), 'export default () => 1\n')
  const gone = await pm.start('gone', { worker: join(dir, 'gone.mjs') })
  t.ok(gone)
  t.match(await gone.result, { ok: true, data: 1 })
})
