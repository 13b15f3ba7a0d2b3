// Cancel of remote jobs, waiting in Redis or running on another machine: by name across two
// agents, right after start() (the waiting→active race), by handle, AbortSignal, ident,
// cancelAll, shutdown() and the status endpoint. Each cancelled job's process is gone.
import t, { type Test } from 'tap'
import { ForkManager, type JobResult } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { eventually } from '../helpers/wait.js'
import { alive, startAgent, startRedis } from '../helpers/redis.js'

const sleep30 = { command: 'sleep', args: ['30'] }

async function setUp(t: Test, queue: string) {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, queue, 'box-1', ['--allow-commands', '-j', '2'])
  await startAgent(t, redis.url, queue, 'box-2', ['--allow-commands', '-j', '2'])
  const pm = new ForkManager({ maxProcs: 16, backend: redisBackend({ url: redis.url, queue }) })
  t.teardown(() => pm.shutdown({ grace: 500 }))
  const pids: number[] = []
  const hosts = new Set<string>()
  pm.runOnStart(({ pid, host }) => {
    pids.push(pid!)
    hosts.add(host!)
  })
  return { pm, pids, hosts }
}

t.test('cancel by name: four jobs running on two agents are stopped, and their processes are gone', async (t) => {
  const { pm, pids, hosts } = await setUp(t, 'cn')
  const handles = await Promise.all([1, 2, 3, 4].map((i) => pm.start(`j${i}`, sleep30, { name: 'batch', onOverlap: 'allow' })))
  t.ok(await eventually(() => pids.length === 4), 'all four started')
  t.same([...hosts].sort(), ['box-1', 'box-2'], 'on both agents')
  t.equal(pm.cancel('batch'), 4)
  const results = await Promise.all(handles.map((h) => h.result))
  for (const r of results) t.match(r, { cancelled: true, cancelReason: 'cancelled', signal: 'SIGTERM', ok: false })
  for (const pid of pids) t.notOk(alive(pid), `pid ${pid} is gone`)
})

t.test('cancel right after start(): every job settles cancelled, whether still waiting or just taken', async (t) => {
  const { pm } = await setUp(t, 'race')
  const results: JobResult[] = []
  for (let i = 0; i < 12; i++) {
    const h = await pm.start(`r${i}`, sleep30, { name: 'race', onOverlap: 'allow' })
    h.cancel()
    results.push(await h.result)
  }
  for (const r of results) t.match(r, { cancelled: true, ok: false }, r.ident)
  const removed = results.filter((r) => r.pid === null)
  for (const r of removed) t.equal(r.attempts, 0, 'taken off the queue: it never ran')
  t.ok(await eventually(() => pm.inFlight().length === 0))
})

t.test('a cancel while the job is on its way to the queue (before start() resolves) takes it off the queue once Redis has it: ' +
  'it never runs', async (t) => {
  const { pm, pids } = await setUp(t, 'on-its-way')
  const abort = new AbortController()
  const started = pm.start('early', sleep30, { signal: abort.signal })
  // start() launched it within the call; its add has not had its reply yet.
  abort.abort('changed my mind')
  const r = await (await started).result
  t.match(r, { cancelled: true, cancelReason: 'changed my mind', ok: false, pid: null, attempts: 0 })
  t.same(pids, [], 'no agent started it')
})

t.test('by handle, AbortSignal, ident, cancelAll, and through the status endpoint; then shutdown() stops the rest', async (t) => {
  const { pm, pids } = await setUp(t, 'ways')
  const byHandle = await pm.start('h', sleep30)
  const controller = new AbortController()
  const bySignal = await pm.start('s', sleep30, { signal: controller.signal })
  const byIdent = await pm.start('i', sleep30)
  const byHttp = await pm.start('w', sleep30, { name: 'web' })
  t.ok(await eventually(() => pids.length === 4), 'four running')
  // Two more wait in Redis (the agents run four at once): cancelAll takes them off the queue.
  const waiting = await Promise.all([pm.start('q1', sleep30), pm.start('q2', sleep30)])
  byHandle.cancel('by handle')
  controller.abort('by signal')
  pm.cancel('i')
  const srv = await pm.serveStatus({ token: 'tok' })
  t.teardown(() => srv.close())
  const response = await fetch(new URL('jobs/web/cancel', srv.url), { method: 'POST', headers: { authorization: 'Bearer tok' } })
  t.equal(response.status, 202)
  t.match(await byHandle.result, { cancelled: true, cancelReason: 'by handle' })
  t.match(await bySignal.result, { cancelled: true, cancelReason: 'by signal' })
  t.match(await byIdent.result, { cancelled: true, signal: 'SIGTERM' })
  t.match(await byHttp.result, { cancelled: true, signal: 'SIGTERM' })
  pm.cancelAll()
  for (const h of waiting) t.match(await h.result, { cancelled: true })
  const late = await pm.start('late', sleep30)
  t.ok(await eventually(() => pids.length >= 5), 'late started')
  await pm.shutdown({ grace: 1000 })
  t.match(await late.result, { cancelled: true, cancelReason: 'shutdown' })
  for (const pid of pids) t.notOk(alive(pid), `pid ${pid} is gone`)
})

t.test('a SIGKILL order for a job already stopping kills it at once (a shutdown grace shorter than its killGrace)', async (t) => {
  const { pm, pids } = await setUp(t, 'grace')
  // Ignores TERM (sleep inherits the ignore): only a SIGKILL ends it. Its own grace is a minute.
  const stubborn = await pm.start('stubborn', { command: 'sh', args: ['-c', 'trap "" TERM; sleep 120'] }, { killGrace: '60s' })
  t.ok(await eventually(() => pids.length === 1), 'it runs on an agent')
  const asked = Date.now()
  // TERM now, then the producer's SIGKILL after 500 ms: the agent kills it then, not after its 60 s.
  await pm.shutdown({ grace: 500 })
  const r = await stubborn.result
  t.match(r, { cancelled: true, cancelReason: 'shutdown', signal: 'SIGKILL' })
  t.ok(Date.now() - asked < 30_000, 'killed on the producer\'s SIGKILL, well before its own killGrace')
  t.notOk(alive(pids[0]!), 'its process is gone')
})

t.test('a SIGKILL as the first order (shutdown({ signal: \'SIGKILL\' })): the agent kills the job at once', async (t) => {
  const { pm, pids } = await setUp(t, 'kill-first')
  const stubborn = await pm.start('stubborn', { command: 'sh', args: ['-c', 'trap "" TERM; sleep 120'] }, { killGrace: '60s' })
  t.ok(await eventually(() => pids.length === 1), 'it runs on an agent')
  const asked = Date.now()
  await pm.shutdown({ signal: 'SIGKILL' })
  t.match(await stubborn.result, { cancelled: true, cancelReason: 'shutdown', signal: 'SIGKILL' })
  t.ok(Date.now() - asked < 30_000, 'killed on the order, not after its killGrace')
  t.notOk(alive(pids[0]!), 'its process is gone')
})
