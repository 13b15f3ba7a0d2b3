// A map() timeout is per item (issue #31 bug 4): one item that hangs without listening is the only
// one timed out; the items its chunk finished keep their results, the items after it run in
// another chunk. Before, the whole chunk came back timedOut, its finished results thrown away.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { MapResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'

t.setTimeout(240_000)
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
const dir = t.testdir()
const library = new URL('../../dist/lib/index.js', import.meta.url).href

/** A worker whose item `hang` never ends, without listening to ctx.signal: by a timer, or holding its thread. */
function hanging(name: string, hang: number, how: 'async' | 'sync'): string {
  const file = path.join(dir, `${name}.mjs`)
  writeFileSync(file, `import { finish } from ${JSON.stringify(library)}
export default ${how === 'async' ? 'async ' : ''}(n) => {
  if (n === ${hang}) ${how === 'async' ? 'await new Promise((resolve) => setTimeout(resolve, 60_000))' : 'for (;;);'}
  if (n % 100 === 7) throw new RangeError('item ' + n)
  if (n % 100 === 3) return finish(3, n)
  return n * 2
}
`)
  return file
}

/** Every item has its own result, right, and only `hang` is not ok: timed out. */
function checkOnlyHungTimedOut(t: Test, results: MapResult[], n: number, hang: number): void {
  t.equal(results.filter(Boolean).length, n, 'a result for every item')
  const wrong = results.filter((r, i) => {
    if (r.index !== i) return true
    if (i === hang) return !(r.timedOut && !r.ok && !r.cancelled && r.error?.name === 'AbortError')
    if (r.timedOut || r.cancelled) return true
    if (i % 100 === 7) return !(r.exitCode === 1 && r.error?.message === `item ${i}`)
    if (i % 100 === 3) return !(r.exitCode === 3 && r.data === i)
    return !(r.ok && r.data === i * 2)
  })
  t.same(wrong.map((r) => r.index), [], 'only the hung item is timed out; every other has its own result')
}

t.test('threads, an item that waits for ever without listening: only it times out, at about the timeout', async (t) => {
  const pm = manager(t, { maxProcs: 2, killGrace: 500 })
  const worker = hanging('async-hang', 15_000, 'async')
  const started = Date.now()
  const results = await pm.map(range(20_000), { worker, isolation: 'thread' }, { timeout: '1s' }).all()
  checkOnlyHungTimedOut(t, results, 20_000, 15_000)
  t.match(results[15_000], { error: { message: "the item ran past the map's timeout (1000 ms)" } })
  t.ok(Date.now() - started < 60_000, 'the map did not wait for the hung item')
  // The hung item last in its chunk: nothing after it to run again.
  const last = await pm.map(range(20), {
    worker: hanging('async-last', 9, 'async'), isolation: 'thread',
  }, { timeout: 300, chunkSize: 10, ordered: true }).all()
  checkOnlyHungTimedOut(t, last, 20, 9)
})

for (const isolation of ['process-pool', 'thread'] as const) {
  t.test(`${isolation}, an item that holds its event loop for ever: only it times out; the rest keep or get their results`, async (t) => {
    const pm = manager(t, { maxProcs: 2, killGrace: 300 })
    const results = await pm.map(range(5000), {
      worker: hanging(`sync-hang-${isolation}`, 3500, 'sync'), isolation,
    }, { timeout: '1s' }).all()
    checkOnlyHungTimedOut(t, results, 5000, 3500)
    t.match(results[3500], { error: { message: "the item ran past the map's timeout (1000 ms) and its worker was stopped" } })
  })
}

t.test('a fresh process per chunk: the same', async (t) => {
  const pm = manager(t, { maxProcs: 2, killGrace: 300 })
  const results = await pm.map(range(30), {
    worker: hanging('sync-hang-process', 12, 'sync'), isolation: 'process',
  }, { timeout: '1s', chunkSize: 10 }).all()
  checkOnlyHungTimedOut(t, results, 30, 12)
})

t.test('a worker that listens, stopped while it held its thread past the timeout: that item times out, the rest run', async (t) => {
  const pm = manager(t, { maxProcs: 1, killGrace: 2000 })
  const file = path.join(dir, 'late-listener.mjs')
  writeFileSync(file, `export default async (n, ctx) => {
  ctx.signal
  if (n === 2) {
    const end = Date.now() + 2500
    while (Date.now() < end);
    await new Promise((resolve) => setTimeout(resolve, 300))
    ctx.signal.throwIfAborted()
  }
  return n
}
`)
  const results = await pm.map(range(6), { worker: file, isolation: 'thread' }, { timeout: '1s', chunkSize: 6, ordered: true }).all()
  t.match(results, [
    { ok: true, data: 0 }, { ok: true, data: 1 },
    { ok: false, timedOut: true, cancelled: false, error: { name: 'AbortError' } },
    { ok: true, data: 3 }, { ok: true, data: 4 }, { ok: true, data: 5 },
  ])
})

t.test('a timeout of Infinity, a job function, the serial mode: the timeout stays the job\'s', async (t) => {
  const pm = manager(t, { maxProcs: 2 })
  const quick = path.join(dir, 'quick.mjs')
  writeFileSync(quick, 'export default (n) => n + 1\n')
  t.same((await pm.map(range(3), { worker: quick, isolation: 'thread' }, { timeout: Infinity, ordered: true }).all()).map((r) => r.data),
    [1, 2, 3])
  const perJob = await pm.map(range(2), (n) => ({ command: 'sh', args: ['-c', n === 1 ? 'sleep 5' : 'true'] }),
    { timeout: 300, ordered: true }).all()
  t.match(perJob, [{ ok: true }, { ok: false, timedOut: true }])
  const serial = manager(t, { maxProcs: 0 })
  t.same((await serial.map(range(3), { worker: quick }, { timeout: '1s', ordered: true }).all()).map((r) => r.data), [1, 2, 3])
})

t.test('a cancel reaches the item a listening worker runs, with a timeout or without: the rest of its chunk says cancelled', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const faults = new URL('../../dist/workers/faults.js', import.meta.url)
  const orders = [{ mode: 'ok', value: 'first' }, { mode: 'hang' }, { mode: 'ok', value: 'never' }]
  for (const timing of [{}, { timeout: '30s' }]) {
    // The process up, with the chunk runners and faults.js loaded, so the stop finds the job listening.
    await pm.map([{ mode: 'ok' }], { worker: faults, isolation: 'process-pool' }, timing).all()
    const results = await pm.map(orders, { worker: faults, isolation: 'process-pool' }, {
      chunkSize: 3, signal: AbortSignal.timeout(2500), ...timing,
    }).all()
    t.match(results, [
      { ok: true, data: 'first' },
      { ok: false, cancelled: true, timedOut: false, error: { name: 'AbortError' } },
      { ok: false, cancelled: true, data: undefined, error: { message: /was asked to stop/ } },
    ], JSON.stringify(timing))
  }
  await pm.close()
  const late = await pm.map([1], { worker: faults }, { timeout: '1s' }).all()
  t.match(late, [{ ok: false, exitCode: null, error: { message: /ForkManager is closed/ } }], 'after close(), items fail; nothing throws')
})

t.test('under a timeout, as without one: a chunk that reports as it goes, a crash, a worker that cannot load', async (t) => {
  const pm = manager(t, { maxProcs: 2 })
  const slow = path.join(dir, 'slow.mjs')
  writeFileSync(slow, 'export default (n) => { const end = performance.now() + 2; while (performance.now() < end); return n * 2 }\n')
  const reported = await pm.map(range(40), { worker: slow, isolation: 'process-pool' }, {
    timeout: '5s', chunkSize: 40, ordered: true,
  }).all()
  t.same(reported.map((r) => r.data), range(40).map((n) => n * 2), 'a chunk of 80 ms: its reports along the way, then its reply')
  const faults = new URL('../../dist/workers/faults.js', import.meta.url)
  const crashed = await pm.map([{ mode: 'ok' }, { mode: 'exit', code: 7 }], {
    worker: faults, isolation: 'process-pool',
  }, { chunkSize: 2, timeout: '5s' }).all()
  t.match(crashed,
    [{
      ok: false, exitCode: 7, timedOut: false, error: { name: 'WorkerExitError' },
    }, { ok: false, exitCode: 7, error: { name: 'WorkerExitError' } }])
  const broken = path.join(dir, 'broken.mjs')
  writeFileSync(broken, 'export default (\n')
  await t.rejects(pm.map(range(5), { worker: broken, isolation: 'thread' }, { timeout: '1s' }).all(), { name: 'WorkerLoadError' })
  await pm.close()
})
