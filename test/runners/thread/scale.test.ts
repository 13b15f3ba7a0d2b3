// The pool's threads at job counts and caps where the piscina runner's fixed 4096-cell
// shared-memory rings failed: a job's placement and its stop are its own at any count and cap.
import t from 'tap'
import path from 'node:path'
import { manager } from '../../helpers/manager.js'
import { worker } from '../../helpers/paths.js'
import { eventually, untilFile } from '../../helpers/wait.js'

const threaded = { isolation: 'thread' } as const
// Generous: thousands of jobs on a machine that may be loaded.
t.setTimeout(600_000)

t.test('a long thread job keeps its threadId after 10,000 later jobs', async (t) => {
  const pm = manager(t, { maxProcs: 2 })
  const dir = t.testdir()
  const ready = path.join(dir, 'long')
  const long = await pm.start('long', { worker: worker('faults'), data: { mode: 'hang', ready }, ...threaded })
  t.ok(await untilFile(ready), 'the long job runs')
  const where = () => pm.inFlight().find((job) => job.ident === 'long')
  const before = where()
  t.match(before, { threadId: Number, pid: null, isolation: 'thread', uses: 1 })
  const others = new Set<number | null>()
  for (let i = 0; i < 10_000; i++) {
    const r = await (await pm.start(`sq${i}`, { worker: worker('square'), data: i, ...threaded })).result
    if (r.data !== i * i) t.fail(`job ${i} got ${String(r.data)}`)
    others.add(r.threadId)
  }
  t.equal(others.size, 1, 'the 10,000 ran on one thread')
  t.not([...others][0], before!.threadId, 'the other one')
  // One reading: elapsedMs moves between two calls.
  const after = where()
  t.same(after, { ...before, elapsedMs: after!.elapsedMs }, 'inFlight() still places it on its thread')
  long.cancel()
  t.match(await long.result, { cancelled: true, threadId: before!.threadId, error: { name: 'AbortError' } })
})

t.test('at a cap of 5,000 on 2 threads, a cancel reaches only its job', async (t) => {
  const pm = manager(t, { maxProcs: 5000, threadPool: { concurrentTasksPerWorker: 2500 } })
  const dir = t.testdir()
  const handles = []
  for (let i = 0; i < 5000; i++) {
    handles.push(await pm.start(`h${i}`, {
      worker: worker('faults'), data: { mode: 'hang', ready: i === 4321 ? path.join(dir, 'one') : undefined }, ...threaded,
    }))
  }
  t.ok(await untilFile(path.join(dir, 'one')), 'the job to cancel runs')
  t.equal(new Set(pm.inFlight().map((job) => job.threadId)).size, 2, 'on two threads')
  handles[4321]!.cancel('only this one')
  t.match(await handles[4321]!.result, { cancelled: true, cancelReason: 'only this one', exitCode: 1, error: { name: 'AbortError' } })
  // Every other job is still running: none was stopped with it.
  t.ok(await eventually(() => pm.inFlight().length === 4999, 3000))
  t.equal(pm.inFlight().filter((job) => job.state === 'running').length, 4999)
  await pm.shutdown({ grace: 5000 })
  const results = await Promise.all(handles.map((h) => h.result))
  t.equal(results.filter((r) => r.cancelled && r.cancelReason === 'shutdown').length, 4999, 'the others ended at the shutdown')
})
