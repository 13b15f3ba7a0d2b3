// The pool's threads when jobs share a thread (threadPool.concurrentTasksPerWorker > 1): many jobs
// at once on fewer threads, each with its own result, stop and timeout, and a crash of the thread
// settling every job on it.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { ForkManager } from '../../../dist/lib/index.js'
import { manager } from '../../helpers/manager.js'
import { worker } from '../../helpers/paths.js'
import { sleep, untilFile } from '../../helpers/wait.js'

const faults = worker('faults')
const threaded = { isolation: 'thread' } as const
// Generous: these tests start many threads, and the machine may be loaded.
t.setTimeout(240_000)

/** The thread up and faults.js loaded, so that the jobs a test starts next begin at once, even on a loaded machine. */
async function warm(pm: ForkManager): Promise<void> {
  await (await pm.start('warm', { worker: faults, data: { mode: 'ok' }, ...threaded })).result
}

t.test('six jobs run at once on two threads, three on each', async (t) => {
  const pm = manager(t, { maxProcs: 6, threadPool: { concurrentTasksPerWorker: 3 } })
  const handles = await Promise.all(Array.from({ length: 6 },
    (_, i) => pm.start(`nap${i}`, { worker: worker('sleep'), data: 600, ...threaded })))
  const results = await Promise.all(handles.map((h) => h.result))
  for (const r of results) t.match(r, { exitCode: 0, error: null, threadId: Number })
  // From the jobs' own clocks: every job began before any ended, so all six ran at once.
  const naps = results.map((r) => r.data as { started: number; ended: number })
  t.ok(Math.max(...naps.map((n) => n.started)) < Math.min(...naps.map((n) => n.ended)), 'all six overlapped')
  const threads = new Set(results.map((r) => r.threadId))
  t.equal(threads.size, 2, 'ceil(6 / 3) threads')
})

t.test('the cap still bounds the running jobs', async (t) => {
  const pm = manager(t, { maxProcs: 2, threadPool: { concurrentTasksPerWorker: 4 } })
  const handles = await Promise.all(Array.from({ length: 4 },
    (_, i) => pm.start(`nap${i}`, { worker: worker('sleep'), data: 300, ...threaded })))
  const naps = (await Promise.all(handles.map((h) => h.result))).map((r) => r.data as { started: number; ended: number })
  naps.sort((a, b) => a.started - b.started)
  t.ok(naps[2]!.started >= Math.min(naps[0]!.ended, naps[1]!.ended), 'the third began once one of the first two had ended')
})

t.test('a timeout or a cancel reaches only its job; its neighbours on the thread run on', async (t) => {
  const pm = manager(t, { maxProcs: 3, threadPool: { concurrentTasksPerWorker: 3 } })
  const dir = t.testdir()
  await warm(pm)
  const [timed, cancelled, other] = await Promise.all([
    pm.start('timed', { worker: faults, data: { mode: 'hang' }, ...threaded }, { timeout: 200 }),
    pm.start('cancelled', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'cancelled') }, ...threaded }),
    pm.start('other', { worker: worker('sleep'), data: 800, ...threaded }),
  ])
  t.ok(await untilFile(path.join(dir, 'cancelled')))
  cancelled.cancel('only this one')
  const [rt, rc, ro] = await Promise.all([timed.result, cancelled.result, other.result])
  t.match(rt, { timedOut: true, cancelled: false, exitCode: 1, error: { name: 'AbortError' } })
  t.match(rc, { timedOut: false, cancelled: true, exitCode: 1, error: { name: 'AbortError' } })
  t.match(ro, { timedOut: false, cancelled: false, exitCode: 0, error: null })
  t.equal(new Set([rt.threadId, rc.threadId, ro.threadId]).size, 1, 'all three on one thread')
})

t.test('a deaf job that shares its thread is ended at once, by terminating the thread, with its neighbours', async (t) => {
  const pm = manager(t, { maxProcs: 2, killGrace: '30s', threadPool: { concurrentTasksPerWorker: 2 } })
  const dir = t.testdir()
  await warm(pm)
  const deaf = await pm.start('deaf', { worker: faults, data: { mode: 'hang-deaf', ready: path.join(dir, 'deaf') }, ...threaded })
  const other = await pm.start('other', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'other') }, ...threaded })
  t.ok(await untilFile(path.join(dir, 'deaf')) && await untilFile(path.join(dir, 'other')), 'both run')
  const stopped = Date.now()
  deaf.cancel()
  const r = await deaf.result
  t.ok(Date.now() - stopped < 10_000, 'without waiting for the 30 s kill grace')
  t.match(r, { cancelled: true, exitCode: null, error: { name: 'AbortError', message: 'the worker thread was terminated' } })
  t.match(await other.result, {
    cancelled: false, exitCode: null, error: {
      name: 'WorkerExitError',
      message: /^the worker thread \d+ running job "other" was terminated to stop job "deaf", which shared it; the pool replaces it$/,
    },
  }, 'its neighbour went with the thread')
  t.match(await (await pm.start('after', { worker: faults, data: { mode: 'ok', value: 1 }, ...threaded })).result, { exitCode: 0, data: 1 },
    'the pool carries on')
})

t.test('a stop for a job that its busy thread has not begun stops that job alone', async (t) => {
  const pm = manager(t, { maxProcs: 2, killGrace: '30s', threadPool: { concurrentTasksPerWorker: 2 } })
  const dir = t.testdir()
  await warm(pm)
  // The thread is busy for 200 ms: it reads the next job's order, and then its stop, only after.
  const busy = await pm.start('busy', { worker: faults, data: { mode: 'busy', ms: 200, ready: path.join(dir, 'busy') }, ...threaded })
  t.ok(await untilFile(path.join(dir, 'busy')), 'the thread is busy')
  const late = await pm.start('late', { worker: faults, data: { mode: 'hang' }, ...threaded })
  late.cancel()
  t.match(await late.result, { cancelled: true, exitCode: 1, error: { name: 'AbortError' } })
  t.match(await busy.result, { cancelled: false, exitCode: 0, data: 'done', error: null }, 'its neighbour ran on')
  t.equal((await late.result).threadId, (await busy.result).threadId, 'both were on the thread')
})

t.test('a stopped job that keeps its shared thread busy ends the thread without waiting for the kill grace', async (t) => {
  const pm = manager(t, { maxProcs: 2, killGrace: '30s', threadPool: { concurrentTasksPerWorker: 2 } })
  const dir = t.testdir()
  await warm(pm)
  const other = await pm.start('other', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'other') }, ...threaded })
  const busy = await pm.start('busy', { worker: faults, data: { mode: 'busy', ms: 60_000, ready: path.join(dir, 'busy') }, ...threaded })
  t.ok(await untilFile(path.join(dir, 'other')) && await untilFile(path.join(dir, 'busy')), 'both run')
  const stopped = Date.now()
  busy.cancel()
  t.match(await busy.result, { cancelled: true, exitCode: null, error: { message: 'the worker thread was terminated' } })
  t.ok(Date.now() - stopped < 10_000, 'without waiting for the 30 s kill grace')
  t.match(await other.result, { exitCode: null, error: { name: 'WorkerExitError', message: /terminated to stop job "busy"/ } },
    'its neighbour went with the thread')
})

t.test('a thread that crashes settles every job on it', async (t) => {
  const pm = manager(t, { maxProcs: 3, threadPool: { concurrentTasksPerWorker: 3 } })
  const dir = t.testdir()
  const crash = path.join(dir, 'crash.mjs')
  writeFileSync(crash, "export default () => new Promise(() => setTimeout(() => { throw new Error('boom') }, 200))")
  const [a, b, crashing] = await Promise.all([
    pm.start('a', { worker: faults, data: { mode: 'hang' }, ...threaded }),
    pm.start('b', { worker: worker('sleep'), data: 60_000, ...threaded }),
    pm.start('crashing', { worker: crash, ...threaded }),
  ])
  const results = await Promise.all([a.result, b.result, crashing.result])
  for (const r of results) t.match(r, { exitCode: 1, error: { message: 'boom' } })
  t.equal(new Set(results.map((r) => r.threadId)).size, 1, 'all three were on the thread')
  t.match(await (await pm.start('after', { worker: faults, data: { mode: 'ok', value: 1 }, ...threaded })).result, { exitCode: 0, data: 1 },
    'the pool carries on')
})

t.test('process.exit() in one job ends every job on its thread with that code, as a crash', async (t) => {
  const pm = manager(t, { maxProcs: 2, threadPool: { concurrentTasksPerWorker: 2 } })
  const [hanging, exiting] = await Promise.all([
    pm.start('hanging', { worker: faults, data: { mode: 'hang' }, ...threaded }),
    pm.start('exiting', { worker: faults, data: { mode: 'exit-later', code: 7 }, ...threaded }),
  ])
  const crash = { name: 'WorkerExitError', message: /running job "(hanging|exiting)" and 1 more exited with code 7; the pool replaces it$/ }
  t.match(await exiting.result, { exitCode: 7, signal: null, error: crash })
  t.match(await hanging.result, { exitCode: 7, signal: null, error: crash })
})

t.test('threadPool is checked at construction', async (t) => {
  for (const bad of [0, 1.5, Infinity]) {
    t.throws(() => new ForkManager({ threadPool: { concurrentTasksPerWorker: bad } }), {
      name: 'RangeError', message: /threadPool.concurrentTasksPerWorker must be a whole number >= 1, got/,
    })
  }
  t.throws(() => new ForkManager({ threadPool: { concurrentTasksPerWorker: '2' as never } }), {
    name: 'TypeError', message: 'threadPool.concurrentTasksPerWorker must be a whole number >= 1, got "2"',
  })
  t.throws(() => new ForkManager({ threadPool: { concurrent: 2 } as never }), {
    name: 'TypeError', message: /"concurrent" is not a threadPool option/,
  })
  t.throws(() => new ForkManager({ threadPool: { maxWorkerMemory: '1GB' } as never }), {
    name: 'TypeError',
    message: /"maxWorkerMemory" is not a threadPool option; it takes maxTasksPerWorker, idleTimeout, concurrentTasksPerWorker/,
  })
  t.throws(() => new ForkManager({ threadPool: { maxTasksPerWorker: 0 } }), {
    name: 'RangeError', message: /threadPool.maxTasksPerWorker must be a whole number >= 1, or Infinity, got 0/,
  })
  t.throws(() => new ForkManager({ threadPool: { idleTimeout: -1 } }), { name: 'RangeError', message: /threadPool.idleTimeout/ })
})

t.test('maxTasksPerWorker recycles a thread after that many jobs; idleTimeout ends idle threads', async (t) => {
  const pm = manager(t, { maxProcs: 1, threadPool: { maxTasksPerWorker: 2, idleTimeout: 100 } })
  const results = []
  for (let i = 0; i < 5; i++) results.push(await (await pm.start(`sq${i}`, { worker: worker('square'), data: i, ...threaded })).result)
  const threads = results.map((r) => r.threadId)
  t.equal(threads[0], threads[1])
  t.equal(threads[2], threads[3])
  t.not(threads[1], threads[2], 'a new thread after two jobs')
  t.not(threads[3], threads[4])
  t.same(results.map((r) => r.data), [0, 1, 4, 9, 16])
  await sleep(400)
  t.not((await (await pm.start('later', { worker: worker('square'), data: 1, ...threaded })).result).threadId, threads[4],
    'the idle thread was ended')
})

t.test('a SIGKILL that comes while the thread is starting ends its job', async (t) => {
  const pm = manager(t, { maxProcs: 2, threadPool: { concurrentTasksPerWorker: 2 } })
  // The pool is new, so its thread is still starting when the kill comes: it is terminated once up.
  const h = await pm.start('early', { worker: faults, data: { mode: 'hang-deaf' }, ...threaded })
  await pm.shutdown({ signal: 'SIGKILL' })
  t.match(await h.result, { cancelled: true, error: { name: 'AbortError' } })
})
