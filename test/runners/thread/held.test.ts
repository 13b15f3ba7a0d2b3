// Held thread jobs as the manager's user sees them (lib/manager/scheduler.ts #hold with
// lib/runners/thread/hold.ts): with every thread busy, the next thread jobs wait in the pool's
// queue, yet the cap, start times, runOnStart, timeouts, cancels, shutdown, close and a crash mean
// what they meant: a job runs, and counts as running, only from the moment a thread takes it.
import t, { type Test } from 'tap'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { JobResult } from '../../../dist/lib/index.js'
import { manager } from '../../helpers/manager.js'
import { worker } from '../../helpers/paths.js'
import { sleep, untilFile } from '../../helpers/wait.js'

const faults = worker('faults')
const threaded = { isolation: 'thread' } as const
type Nap = { started: number; ended: number }

/** The most jobs running at one instant, from the jobs' own start and end times. */
function mostAtOnce(naps: Nap[]): number {
  const edges = naps.flatMap((n) => [[n.started, 1], [n.ended, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let most = 0
  for (const [, step] of edges) most = Math.max(most, (now += step))
  return most
}

for (const [maxProcs, perThread] of [[2, 1], [4, 2]] as const) {
  t.test(`cap ${maxProcs}, ${perThread} per thread: never more than the cap run, and each job's start time is when it began`, async (t) => {
    const pm = manager(t, { maxProcs, threadPool: { concurrentTasksPerWorker: perThread } })
    // The threads up first: a job handed to a thread still starting counts as running from then.
    await Promise.all((await Promise.all(Array.from({ length: maxProcs }, (_, i) => pm.start(`warm${i}`, { worker: worker('sleep'), data: 50, ...threaded })))).map((h) => h.result))
    const order: string[] = []
    pm.runOnStart(({ ident }) => order.push(ident))
    const handles = await Promise.all(Array.from({ length: 4 * maxProcs }, (_, i) => pm.start(`nap${i}`, { worker: worker('sleep'), data: 150, ...threaded })))
    const results = await Promise.all(handles.map((h) => h.result))
    const naps = results.map((r) => r.data as Nap)
    t.equal(mostAtOnce(naps), maxProcs, 'the cap, measured inside the workers')
    for (const [i, r] of results.entries()) {
      // Set as a thread takes the job, not as it is handed to the pool (150 ms or more earlier for all but the first wave).
      t.ok(Math.abs(r.startedAt - naps[i]!.started) < 100, `${r.ident}: startedAt ${r.startedAt - naps[i]!.started} ms from its own start`)
      t.equal(handles[i]!.startedAt, r.startedAt)
    }
    t.same(order, results.map((r) => r.ident), 'runOnStart in start() order, once each')
    const startedOf = new Map(results.map((r) => [r.ident, (r.data as Nap).started]))
    const late = order.slice(1).filter((ident, i) => startedOf.get(ident)! < startedOf.get(order[i]!)! - 20)
    t.same(late, [], 'each began (by its own clock) no earlier than the one before it in runOnStart order')
  })
}

/** Two jobs that hang on a cap of 2 (one thread each), and `ready` files that say they run. */
async function busy(t: Test) {
  const pm = manager(t, { maxProcs: 2 })
  const dir = t.testdir()
  const running = await Promise.all([0, 1].map((i) => pm.start(`busy${i}`, { worker: faults, data: { mode: 'hang', ready: path.join(dir, `busy${i}`) }, ...threaded })))
  t.ok(await untilFile(path.join(dir, 'busy0')) && await untilFile(path.join(dir, 'busy1')), 'both threads busy')
  return { pm, dir, running }
}

/** Frees busy()'s threads, runs one more job (a job the pool still had would run first), and checks `marker`'s job never ran. */
async function checkNeverRan(t: Test, { pm, running }: Awaited<ReturnType<typeof busy>>, marker: string): Promise<void> {
  for (const h of running) h.cancel()
  await Promise.all(running.map((h) => h.result))
  await (await pm.start('after', { worker: worker('sleep'), data: 10, ...threaded })).result
  t.notOk(existsSync(marker), 'never ran')
}

t.test('a held job cancelled before a thread takes it is taken back: its worker is never called', async (t) => {
  const { pm, dir, running } = await busy(t)
  const marker = path.join(dir, 'held')
  let handed = false
  const started = pm.start('held', { worker: faults, data: { mode: 'hang', ready: marker }, ...threaded }).then((h) => (handed = true, h))
  t.match(pm.inFlight().find((j) => j.ident === 'held'), { ident: 'held', state: 'queued' }, 'queued, not running')
  t.equal(pm.inFlight().filter((j) => j.state === 'running').length, 2)
  pm.cancel('held', 'changed my mind')
  const handle = await started
  t.ok(handed)
  t.match(await handle.result, { cancelled: true, cancelReason: 'changed my mind', exitCode: null })
  await checkNeverRan(t, { pm, dir, running }, marker)
})

// Such a job is never held: admitted() refuses it before the scheduler could hand it to the pool.
t.test('a job whose signal had already aborted, every thread busy, never runs', async (t) => {
  const busyThreads = await busy(t)
  const marker = path.join(busyThreads.dir, 'held')
  const handle = await busyThreads.pm.start('held', { worker: faults, data: { mode: 'hang', ready: marker }, ...threaded }, { signal: AbortSignal.abort('too late') })
  t.match(await handle.result, { cancelled: true, cancelReason: 'too late', exitCode: null })
  await checkNeverRan(t, busyThreads, marker)
})

t.test("a held job's timeout runs from its start, not while it waits", async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  await (await pm.start('warm', { worker: worker('sleep'), data: 1, ...threaded })).result
  const first = await pm.start('first', { worker: worker('sleep'), data: 400, ...threaded })
  const held = pm.start('held', { worker: worker('sleep'), data: 50, ...threaded }, { timeout: 250 })
  const [a, b] = await Promise.all([first.result, held.then((h) => h.result)])
  t.match(b, { ok: true, timedOut: false })
  t.ok((b.data as Nap).started >= (a.data as Nap).ended, 'it ran after the first')
})

t.test('shutdown takes back held jobs unrun; close lets them run', async (t) => {
  const { pm, dir, running } = await busy(t)
  const marker = path.join(dir, 'held')
  const held = pm.start('held', { worker: faults, data: { mode: 'hang', ready: marker }, ...threaded })
  await pm.shutdown()
  t.match(await (await held).result, { cancelled: true, cancelReason: 'shutdown', exitCode: null })
  for (const h of running) t.match(await h.result, { cancelled: true })
  t.notOk(existsSync(marker), 'never ran')

  const other = manager(t, { maxProcs: 1 })
  await (await other.start('warm', { worker: worker('sleep'), data: 1, ...threaded })).result
  const first = other.start('first', { worker: worker('sleep'), data: 200, ...threaded })
  const queued = other.start('queued', { worker: worker('sleep'), data: 10, ...threaded })
  const closed = other.close()
  const results: JobResult[] = await Promise.all([first, queued].map(async (h) => (await h).result))
  await closed
  t.match(results, [{ ok: true }, { ok: true }])
})

t.test('a held job behind a thread that crashes runs once the pool has a new thread', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const crash = path.join(t.testdir(), 'crash.mjs')
  writeFileSync(crash, "export default () => new Promise(() => setTimeout(() => { throw new Error('boom') }, 300))")
  await (await pm.start('warm', { worker: worker('sleep'), data: 1, ...threaded })).result
  const crashing = await pm.start('crash', { worker: crash, ...threaded })
  const held = pm.start('held', { worker: worker('sleep'), data: 10, ...threaded })
  const [c, h] = await Promise.all([crashing.result, held.then((x) => x.result)])
  t.match(c, { ok: false, exitCode: 1, error: { message: 'boom' } })
  t.match(h, { ok: true, exitCode: 0 })
  t.ok((h.data as Nap).started >= c.startedAt + 250, 'it began after the crash')
})

t.test('concurrentTasksPerWorker 2: a stop of one held job leaves its thread and the other jobs alone', async (t) => {
  const pm = manager(t, { maxProcs: 2, threadPool: { concurrentTasksPerWorker: 2 } })
  const dir = t.testdir()
  const running = await Promise.all([0, 1].map((i) => pm.start(`busy${i}`, { worker: faults, data: { mode: 'hang', ready: path.join(dir, `busy${i}`) }, ...threaded })))
  t.ok(await untilFile(path.join(dir, 'busy0')) && await untilFile(path.join(dir, 'busy1')))
  const marker = path.join(dir, 'held')
  const held = pm.start('held', { worker: faults, data: { mode: 'hang', ready: marker }, ...threaded })
  const next = pm.start('next', { worker: worker('sleep'), data: 10, ...threaded })
  // After its runner has it, this time.
  await sleep(50)
  pm.cancel('held')
  t.match(await (await held).result, { cancelled: true, exitCode: null })
  running[0]!.cancel()
  t.match(await running[0]!.result, { cancelled: true, exitCode: 1, error: { name: 'AbortError' } }, 'stopped through its signal, not its thread')
  t.match(await (await next).result, { ok: true })
  running[1]!.cancel()
  t.match(await running[1]!.result, { cancelled: true, exitCode: 1 })
  t.notOk(existsSync(marker), 'never ran')
})
