// lib/runners/pool/worker.ts when jobs share a process (processPool.concurrentTasksPerWorker > 1):
// they run at once, a stop of one that listens leaves the others alone unless it ends in a SIGKILL,
// a stop of one that does not ends the process at once, and a crash settles every job in it. test/runners/pool-worker.test.ts has a process
// per job.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { ForkManagerOptions, JobResult } from '../../../dist/lib/index.js'
import { manager } from '../../helpers/manager.js'
import { alive, worker } from '../../helpers/paths.js'
import { pooled, run } from '../../helpers/pool.js'
import { eventually, sleep, untilFile } from '../../helpers/wait.js'

const faults = worker('faults')
const probe = worker('pool-probe')
const rendezvous = worker('rendezvous')
// Generous: these tests start many Node processes, and the machine may be loaded.
t.setTimeout(240_000)

/** A manager whose processes take two jobs at once; with maxProcs 2 that is one process. */
const shared = (t: Test, options: ForkManagerOptions = {}) => manager(t, { processPool: { concurrentTasksPerWorker: 2 }, ...options })

t.test('a process runs concurrentTasksPerWorker jobs at once, and the cap sets how many processes there are', async (t) => {
  const pm = shared(t, { maxProcs: 4 })
  // Each job returns only once two jobs have arrived in its process.
  const results = await Promise.all([1, 2, 3,
    4].map(async (i) => (await pm.start(`r${i}`, { worker: rendezvous, data: { size: 2 }, ...pooled })).result))
  for (const r of results) t.match(r, { exitCode: 0, error: null })
  const pids = results.map((r) => r.data as number)
  t.same(pids, results.map((r) => r.pid), 'each JobResult names the process that ran it')
  t.equal(new Set(pids).size, 2, 'maxProcs 4 at 2 jobs per process: two processes')
  for (const pid of new Set(pids)) t.equal(pids.filter((p) => p === pid).length, 2, `process ${pid} ran two of them together`)
})

t.test('a stopped job that listens ends alone; its process finishes the other job, then is replaced', async (t) => {
  const pm = shared(t)
  const listens = path.join(t.testdir(), 'stopped listens')
  const stopped = await pm.start('stopped', { worker: faults, data: { mode: 'hang', ready: listens }, ...pooled })
  const other = await pm.start('other', { worker: faults, data: { mode: 'hang', ms: 600 }, ...pooled })
  t.equal(other.pid, stopped.pid, 'both in one process')
  t.same(pm.runningProcs(), [stopped.pid], 'runningProcs lists the shared process once')
  t.equal(pm.runningProcsWithIdentifiers().size, 1)
  t.ok(await untilFile(listens), 'the process is up and the job listens')
  stopped.cancel('enough')
  t.match(await stopped.result, { cancelled: true, cancelReason: 'enough', exitCode: 1, error: { name: 'AbortError' } })
  t.match(await other.result, { cancelled: false, exitCode: 0, data: 'woke up', error: null }, 'the other job ran to its end')
  t.ok(await eventually(() => !alive(stopped.pid), 3000), 'then the process ended: the stopped job may have left things running')
  t.not((await run(pm, { worker: probe })).pid, stopped.pid)
})

t.test('a stop that reaches a job before it begins means it never begins', async (t) => {
  // A grace no slow process start outlasts: a SIGKILL after it would end the job before the order does.
  const pm = shared(t, { killGrace: '30s' })
  // The process is not even up: the job and its stop go out together.
  const h = await pm.start('early', { worker: faults, data: { mode: 'ok', value: 1 }, ...pooled })
  h.cancel('too soon')
  t.match(await h.result, {
    cancelled: true, exitCode: 1, data: undefined, error: { name: 'AbortError', message: 'job "early" was stopped before it began' },
  })
})

t.test('a stopped job that does not listen ends its shared process at once, with its neighbours', async (t) => {
  const pm = shared(t, { killGrace: '30s' })
  const dir = t.testdir()
  await run(pm, { worker: faults, data: { mode: 'ok' } }) // the process is up, faults.js loaded: the jobs below begin at once
  const deaf = await pm.start('deaf', { worker: faults, data: { mode: 'hang-deaf', ready: path.join(dir, 'deaf') }, ...pooled })
  const other = await pm.start('other', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'other') }, ...pooled })
  t.ok(await untilFile(path.join(dir, 'deaf')) && await untilFile(path.join(dir, 'other')), 'both jobs run')
  const stopped = Date.now()
  deaf.cancel()
  t.match(await deaf.result, { cancelled: true, exitCode: null, signal: 'SIGKILL', error: null }, 'the stopped job died of its stop')
  t.ok(Date.now() - stopped < 10_000, 'without waiting for the 30 s kill grace')
  const r: JobResult = await other.result
  t.match(r, {
    cancelled: false, signal: 'SIGKILL', error: {
      name: 'WorkerExitError', message: `the worker process ${deaf.pid} running ` +
        `job "other" was killed (SIGKILL) to stop job "deaf", which shared it; the pool replaces it`
    }
  })
  t.match(await run(pm, { worker: faults, data: { mode: 'ok', value: 4 } }), { exitCode: 0, data: 4 }, 'the pool carries on')
})

/** A worker that looks at ctx.signal, so that a stop waits killGrace for it, and then ignores it. */
function stubborn(dir: string): string {
  const file = path.join(dir, 'stubborn.mjs')
  writeFileSync(file, `import { writeFileSync } from 'node:fs'
export default (ready, ctx) => { ctx.signal; writeFileSync(ready, ''); return new Promise(() => {}) }`)
  return file
}

t.test('a stop that ends in SIGKILL takes the jobs sharing the process, and says why', async (t) => {
  const pm = shared(t, { killGrace: 300 })
  const dir = t.testdir()
  await run(pm, { worker: faults, data: { mode: 'ok' } }) // the process is up, faults.js loaded: the jobs below begin at once
  const listens = await pm.start('listens', { worker: stubborn(dir), data: path.join(dir, 'listens'), ...pooled })
  const other = await pm.start('other', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'other') }, ...pooled })
  t.ok(await untilFile(path.join(dir, 'listens')) && await untilFile(path.join(dir, 'other')), 'both jobs run')
  // The note that it listens is on its way when the file appears: a moment for it to arrive.
  await sleep(100)
  listens.cancel()
  t.match(await listens.result, {
    cancelled: true, exitCode: null, signal: 'SIGKILL', error: null,
  }, 'the stopped job died of its stop, after the grace')
  const r: JobResult = await other.result
  t.match(r, {
    cancelled: false,
    signal: 'SIGKILL',
    error: {
      name: 'WorkerExitError',
      message: `the worker process ${listens.pid} running job "other" was killed (SIGKILL) to stop job "listens", ` +
        'which shared it; the pool replaces it',
    },
  })
  t.match(await run(pm, { worker: faults, data: { mode: 'ok', value: 4 } }), { exitCode: 0, data: 4 }, 'the pool carries on')
})

t.test('a crash settles every job in the process', async (t) => {
  const pm = shared(t)
  const hanging = await pm.start('hanging', { worker: faults, data: { mode: 'hang' }, ...pooled })
  const exiting = await pm.start('exiting', { worker: faults, data: { mode: 'exit', code: 9 }, ...pooled })
  const message = (ident: string) => `the worker process ${hanging.pid} running job "${ident}" and 1 more exited with code 9; the pool ` +
    `replaces it`
  t.match(await exiting.result, { exitCode: 9, error: { name: 'WorkerExitError', message: message('exiting') } })
  t.match(await hanging.result, { exitCode: 9, error: { name: 'WorkerExitError', message: message('hanging') } })
})

t.test('a job being stopped when a neighbour crashes the process died of the crash, and says so', async (t) => {
  const pm = manager(t, { maxProcs: 3, killGrace: '30s', processPool: { concurrentTasksPerWorker: 3 } })
  const dir = t.testdir()
  await run(pm, { worker: faults, data: { mode: 'ok' } }) // the process is up, faults.js loaded: the jobs below begin at once
  const deaf = await pm.start('deaf', { worker: stubborn(dir), data: path.join(dir, 'deaf'), ...pooled })
  const other = await pm.start('other', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'other') }, ...pooled })
  t.ok(await untilFile(path.join(dir, 'deaf')) && await untilFile(path.join(dir, 'other')), 'both jobs run')
  await sleep(100)
  deaf.cancel() // it listens, so it has the 30 s grace
  const exiting = await pm.start('exiting', { worker: faults, data: { mode: 'exit', code: 5 }, ...pooled })
  t.same([other.pid, exiting.pid], [deaf.pid, deaf.pid], 'all three in one process')
  t.match(await deaf.result, {
    cancelled: true, exitCode: 5, error: { name: 'WorkerExitError', message: /running job "deaf" and 2 more exited with code 5/ },
  })
  t.match(await other.result, { cancelled: false, exitCode: 5, error: { name: 'WorkerExitError' } })
  t.match(await exiting.result, { cancelled: false, exitCode: 5, error: { name: 'WorkerExitError' } })
})

t.test('jobs that end in the same turn as a crash keep their answers', async (t) => {
  const pm = shared(t)
  await run(pm, { worker: faults, data: { mode: 'ok' } }) // the process is up, faults.js loaded
  const [done, exiting] = await Promise.all([
    pm.start('done', { worker: faults, data: { mode: 'ok', value: 'kept' }, ...pooled }),
    pm.start('exiting', { worker: faults, data: { mode: 'exit-later', code: 3 }, ...pooled }),
  ])
  t.equal(done.pid, exiting.pid)
  t.match(await done.result, { exitCode: 0, data: 'kept', error: null }, 'answered as the process exited')
  t.match(await exiting.result, { exitCode: 3, error: { message: /running job "exiting" exited with code 3/ } })
})

t.test('concurrentTasksPerWorker is checked at construction', async (t) => {
  for (const bad of [0, 1.5, Infinity]) {
    t.throws(() => shared(t, { processPool: { concurrentTasksPerWorker: bad } }), {
      name: 'RangeError', message: /processPool.concurrentTasksPerWorker must be a whole number >= 1, got/,
    })
  }
  t.throws(() => shared(t, { processPool: { concurrentTasksPerWorker: '2' as never } }), {
    name: 'TypeError', message: 'processPool.concurrentTasksPerWorker must be a whole number >= 1, got "2"',
  })
})
