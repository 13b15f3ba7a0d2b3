import t from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { MapResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'
import { sleep } from '../helpers/wait.js'

const addOne = worker('add-one')
const faults = worker('faults')
const pm = manager(t, { killGrace: 500 })
// Generous: these tests start many Node processes, and the machine may be loaded.
t.setTimeout(240_000)

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** An async generator that yields `n` numbers, one every `ms`, and counts what was pulled. */
function slowSource(n: number, ms: number) {
  const state = { pulled: 0 }
  async function* items() {
    for (let i = 0; i < n; i++) {
      await sleep(ms) // the source is slow on purpose
      state.pulled++
      yield i
    }
  }
  return { state, items: items() }
}

for (const isolation of ['thread', 'process-pool', 'process'] as const) {
  t.test(`unordered map over ${isolation}: every item once, results in completion order`, async (t) => {
    const n = isolation === 'process' ? 40 : 3000
    const seen = new Set<number>()
    let sum = 0
    let wrong = 0
    for await (const r of pm.map<number, number>(range(n), { worker: addOne, isolation })) {
      if (r.data !== r.item + 1 || r.index !== r.item || !r.ok) wrong++
      seen.add(r.index)
      sum += r.data!
    }
    t.equal(wrong, 0, 'each result belongs to its item')
    t.equal(seen.size, n)
    t.equal(sum, (n * (n + 1)) / 2)
  })
}

t.test('ordered map keeps input order even when early items are slow', async (t) => {
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'slow-first.mjs'),
    'export default async (n) => { if (n < 3) await new Promise((resolve) => setTimeout(resolve, 200)); return n * 10 }')
  const job = { worker: path.join(dir, 'slow-first.mjs'), isolation: 'thread' } as const
  const order: number[] = []
  for await (const r of pm.map<number, number>(range(40), job, { ordered: true, chunkSize: 1 })) order.push(r.index)
  t.same(order, range(40))
  const completion: number[] = []
  for await (const r of pm.map<number, number>(range(40), job, { chunkSize: 1 })) completion.push(r.index)
  t.notSame(completion, range(40), 'unordered: slow early items come later')
  t.same([...completion].sort((a, b) => a - b), range(40))
})

t.test('per-item errors stay per-item inside a chunk', async (t) => {
  const orders = [{ mode: 'ok', value: 'a' }, { mode: 'throw' }, { mode: 'finish', code: 3, value: 'c' }, { mode: 'throw-string' },
    { mode: 'ok', value: 'e' }]
  for (const isolation of ['thread', 'process-pool', 'process'] as const) {
    const results = await pm.map(orders, { worker: faults, isolation }, { chunkSize: 5 }).all()
    t.match(results, [
      { index: 0, ok: true, data: 'a', exitCode: 0, error: null },
      { index: 1, ok: false, data: undefined, exitCode: 1, error: { name: 'RangeError' } },
      { index: 2, ok: false, data: 'c', exitCode: 3, error: null },
      { index: 3, ok: false, exitCode: 1, error: { message: 'non-error thrown: a bare string' } },
      { index: 4, ok: true, data: 'e', exitCode: 0 },
    ], isolation)
  }
})

t.test('a chunk that fails as a whole fails each of its items with the chunk\'s result', async (t) => {
  const results = await pm.map([{ mode: 'ok' }, { mode: 'exit', code: 7 }], {
    worker: faults, isolation: 'process-pool',
  }, { chunkSize: 2 }).all()
  t.match(results, [
    { index: 0, ok: false, exitCode: 7, error: { name: 'WorkerExitError' } },
    { index: 1, ok: false, exitCode: 7, error: { name: 'WorkerExitError' } },
  ])
})

t.test('map over an async iterable slower than the workers', async (t) => {
  const n = 30
  const { state, items } = slowSource(n, 50)
  let beforeTheEnd = 0
  let seen = 0
  for await (const r of pm.map<number, number>(items, { worker: addOne, isolation: 'thread' })) {
    if (r.data !== r.item + 1) t.fail(`item ${r.item} gave ${r.data}`)
    seen++
    if (state.pulled < n) beforeTheEnd++
  }
  t.equal(seen, n)
  // A chunk never waits for a slow source longer than the target chunk time: results stream out
  // while the source is still producing, instead of after it.
  t.ok(beforeTheEnd >= n / 2, `${beforeTheEnd} of ${n} results came while the source was still producing`)
})

t.test('backpressure: map pulls only a bounded number of items ahead of the consumer', async (t) => {
  const state = { pulled: 0 }
  function* endless() {
    for (let i = 0; ; i++) {
      state.pulled++
      yield i
    }
  }
  const chunkSize = 5
  // 2 lanes × chunkSize in flight, and as much again waiting for the consumer.
  const bound = 2 * 2 * chunkSize
  let consumed = 0
  let maxAhead = 0
  for await (const r of pm.map<number, number>(endless(), { worker: addOne, isolation: 'thread' }, { chunkSize })) {
    consumed++
    maxAhead = Math.max(maxAhead, state.pulled - consumed)
    if (r.data !== r.item + 1) t.fail(`item ${r.item} gave ${r.data}`)
    if (consumed === 200) break
    if (consumed % 50 === 0) await sleep(50) // a slow consumer
  }
  t.ok(maxAhead <= bound, `never more than ${bound} items ahead (at most ${maxAhead})`)
  const pulledAtBreak = state.pulled
  // A window in which nothing may be pulled.
  await sleep(100)
  t.equal(state.pulled, pulledAtBreak, 'nothing is pulled after a break')
})

t.test('backpressure with a consumer that stops reading', async (t) => {
  const source = slowSource(1000, 0)
  const results = pm.map<number, number>(source.items, { worker: addOne, isolation: 'thread' }, { chunkSize: 10 })
  const iterator = results[Symbol.asyncIterator]()
  await iterator.next()
  // A window in which the map may pull only what its bound allows.
  await sleep(300)
  t.ok(source.state.pulled <= 2 * 2 * 10 + 1, `pulled ${source.state.pulled} of 1000 while nobody read`)
  await iterator.return!()
})

t.test('onProgress reports done and total', async (t) => {
  const calls: Array<[number, number | undefined]> = []
  await pm.map(range(100), { worker: addOne, isolation: 'thread' }, {
    chunkSize: 30, onProgress: (done, total) => calls.push([done, total]),
  }).all()
  t.same(calls.map((c) => c[1]), [100, 100, 100, 100])
  t.ok(calls.every((c, i) => i === 0 || c[0] > calls[i - 1]![0]), 'done only grows')
  t.equal(calls.at(-1)![0], 100)
  const fromSet: Array<number | undefined> = []
  await pm.map(new Set([1, 2]), { worker: addOne, isolation: 'thread' }, { onProgress: (_d, total) => fromSet.push(total) }).all()
  t.ok(fromSet.every((total) => total === 2))
  const unknown: Array<number | undefined> = []
  await pm.map(slowSource(3, 1).items, { worker: addOne, isolation: 'thread' }, { onProgress: (_d, total) => unknown.push(total) }).all()
  t.ok(unknown.length > 0 && unknown.every((total) => total === undefined))
  const warnings: Error[] = []
  const onWarning = (w: Error): number => warnings.push(w)
  process.on('warning', onWarning)
  const r = await pm.map([1], { worker: addOne, isolation: 'thread' }, { onProgress: () => { throw new Error('progress bug') } }).all()
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a callback that throws a non-Error is the case
  await pm.map([1], { worker: addOne, isolation: 'thread' }, { onProgress: () => { throw 'bare progress bug' } }).all()
  await new Promise((resolve) => setImmediate(resolve))
  process.off('warning', onWarning)
  t.match(r, [{ data: 2 }], 'a throwing callback does not disturb the map')
  t.match(warnings, [{ message: 'progress bug' }, { message: 'bare progress bug' }])
})

t.test('a job function runs one job per item: commands, with capture', async (t) => {
  const results = await pm.map(['a', 'bb', 'ccc'],
    (word, index) => ({ command: 'sh', args: ['-c', `printf %s "$0"; exit ${index}`, word], capture: true }), { ordered: true }).all()
  t.match(results, [
    { index: 0, item: 'a', ok: true, exitCode: 0, stdout: 'a' },
    { index: 1, item: 'bb', ok: false, exitCode: 1, stdout: 'bb' },
    { index: 2, item: 'ccc', ok: false, exitCode: 2, stdout: 'ccc' },
  ])
  const broken = await pm.map([1, 2], (n) => {
    if (n === 2) throw new Error('no job for 2')
    return { worker: addOne, data: n, isolation: 'thread' }
  }).all()
  t.match(broken, [{ ok: true, data: 2 }, { ok: false, exitCode: null, error: { message: 'no job for 2' } }])
})

t.test('chunk jobs are jobs of the manager: callbacks see them, a timeout reaches the item', async (t) => {
  const local = manager(t, { maxProcs: 1 })
  const idents: string[] = []
  local.runOnStart((info) => idents.push(info.ident))
  await local.map(range(6), { worker: addOne, isolation: 'thread' }, { chunkSize: 4, ident: 'nums' }).all()
  t.same(idents, ['nums[0..3]', 'nums[4..5]'])
  const timed = await local.map([{ mode: 'hang' }], { worker: faults, isolation: 'thread' }, { timeout: 100 }).all()
  t.match(timed, [{ ok: false, timedOut: true, error: { name: 'AbortError' } }])
  await local.close()
  const late = await local.map([1], { worker: addOne }).all()
  t.match(late, [{ ok: false, exitCode: null, error: { message: /ForkManager is closed/ } }], 'after close(), items fail; nothing throws')
})

t.test('an abort signal stops the map: running chunks are cancelled, nothing more is pulled', async (t) => {
  const controller = new AbortController()
  const source = slowSource(1000, 5)
  const results: MapResult[] = []
  for await (const r of pm.map(source.items, { worker: faults, isolation: 'thread' }, { signal: controller.signal, chunkSize: 1 })) {
    results.push(r)
    if (results.length === 3) controller.abort('enough')
  }
  t.ok(results.length < 20, `stopped after ${results.length} results`)
  const pulled = source.state.pulled
  // A window in which the source must not be read.
  await sleep(100)
  t.ok(source.state.pulled <= pulled + 1, 'the source is not read any more')
  const already = AbortSignal.abort('before')
  t.same(await pm.map(range(5), { worker: addOne }, { signal: already }).all(), [])
  const slow = pm.map([{ mode: 'hang' }], { worker: faults, isolation: 'thread' }, { signal: AbortSignal.timeout(200) })
  t.match(await slow.all(), [{ cancelled: true, ok: false }])
})

t.test('a timeout reaches the item running in a chunk; the rest of the chunk runs in another', async (t) => {
  const local = manager(t, { maxProcs: 1 })
  // The process up, with the chunk runner and faults.js loaded, so the stop finds the job listening.
  await local.map([{ mode: 'ok' }], { worker: faults, isolation: 'process-pool' }).all()
  const orders = [{ mode: 'ok', value: 'first' }, { mode: 'hang' }, { mode: 'ok', value: 'never' }]
  const results = await local.map(orders, { worker: faults, isolation: 'process-pool' }, { chunkSize: 3, timeout: 1500 }).all()
  t.match(results, [
    { ok: true, data: 'first', timedOut: false },
    { ok: false, exitCode: 1, timedOut: true, error: { name: 'AbortError' } },
    { ok: true, data: 'never', timedOut: false },
  ])
  await local.close()
})

t.test('a worker job\'s cwd and env reach the chunks', async (t) => {
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'where.mjs'), 'export default (n) => [n, process.env.FP_MAP, process.cwd()]')
  const results = await pm.map([1, 2], {
    worker: path.join(dir, 'where.mjs'), isolation: 'process-pool', cwd: dir, env: { FP_MAP: 'yes' },
  }, { ordered: true }).all()
  t.same(results.map((r) => r.data), [[1, 'yes', dir], [2, 'yes', dir]])
})

t.test('the serial debug mode maps in this process', async (t) => {
  const serial = manager(t, { maxProcs: 0 })
  const results = await serial.map<number, number>(range(10), { worker: addOne }, { ordered: true }).all()
  t.same(results.map((r) => r.data), range(10).map((n) => n + 1))
  await serial.close()
})

t.test('an error thrown by the input ends the iteration after the results so far', async (t) => {
  function* failing() {
    yield 1
    yield 2
    throw new Error('input broke')
  }
  const got: number[] = []
  await t.rejects(async () => {
    for await (const r of pm.map<number, number>(failing(), { worker: addOne, isolation: 'thread' }, { chunkSize: 1 })) got.push(r.data!)
  }, { message: 'input broke' })
  t.same(got.sort(), [2, 3])
  async function* failingAsync() {
    yield 1
    throw new Error('async input broke')
  }
  await t.rejects(pm.map(failingAsync(), { worker: addOne, isolation: 'thread' }).all(), { message: 'async input broke' })
})

t.test('bad arguments throw at the call', async (t) => {
  const job = { worker: addOne }
  t.throws(() => pm.map(5 as never, job), {
    name: 'TypeError', message: 'map() items must be an array, an iterable or an async iterable, got 5',
  })
  t.throws(() => pm.map(null as never, job), { name: 'TypeError' })
  t.throws(() => pm.map([1], { worker: addOne, data: 1 } as never), { name: 'TypeError', message: /leave job.data out/ })
  t.throws(() => pm.map([1], { command: 'ls' } as never), { name: 'TypeError', message: /takes a worker job, or a function/ })
  t.throws(() => pm.map([1], 'x' as never), { name: 'TypeError', message: /a job must be an object/ })
  t.throws(() => pm.map([1], job, 'x' as never), { name: 'TypeError', message: 'map() options must be an object, got "x"' })
  t.throws(() => pm.map([1], job, { ordered: 1 as never }), { name: 'TypeError', message: /ordered must be a boolean/ })
  t.throws(() => pm.map([1], job, { chunkSize: 0 }), {
    name: 'RangeError', message: /chunkSize must be 'auto' or a whole number >= 1, got 0/,
  })
  t.throws(() => pm.map([1], job, { chunkSize: true as never }), {
    name: 'TypeError', message: `map() chunkSize must be 'auto' or a whole number >= 1, got true`,
  })
  t.throws(() => pm.map([1], job, { chunkSize: 'big' as never }), {
    name: 'RangeError', message: `map() chunkSize must be 'auto' or a ` +
    `whole number >= 1, got "big"`
  })
  t.throws(() => pm.map([1], job, { concurrency: 1.5 }), {
    name: 'RangeError', message: 'map() concurrency must be a whole number >= 1, ' +
    'got 1.5'
  })
  t.throws(() => pm.map([1], job, { concurrency: '4' as never }), {
    name: 'TypeError', message: 'map() concurrency must be a whole number >= 1, got "4"',
  })
  t.throws(() => pm.map([1], job, { onProgress: 1 as never }), { name: 'TypeError', message: /onProgress must be a function/ })
  t.throws(() => pm.map([1], job, { signal: {} as never }), { name: 'TypeError', message: /signal must be an AbortSignal/ })
  t.throws(() => pm.map([1], job, { ident: 3 as never }), { name: 'TypeError', message: /ident must be a string/ })
  t.throws(() => pm.map([1], job, { chunksize: 2 } as never), {
    name: 'TypeError', message: '"chunksize" is not a map() option; did you mean chunkSize?',
  })
  t.throws(() => pm.map([1], job, { isolation: 'thread' } as never), {
    name: 'TypeError', message: '"isolation" is not a map() option; did you mean the job\'s isolation?',
  })
  t.throws(() => pm.map([1], job, { data: 1 } as never), {
    name: 'TypeError',
    message: '"data" is not a map() option; it takes ordered, chunkSize, concurrency, onProgress, signal, timeout, ident',
  })
  const once = pm.map([1], job)
  await once.all()
  await t.rejects(once.all(), { message: /only once/ })
  t.throws(() => once[Symbol.asyncIterator](), { message: /only once/ })
})

t.test('two consumers of one iterator each get distinct results', async (t) => {
  const iterator = pm.map<number, number>(range(10), { worker: addOne, isolation: 'thread' }, { chunkSize: 3 })[Symbol.asyncIterator]()
  const all = await Promise.all(range(12).map(() => iterator.next()))
  t.same(all.filter((s) => !s.done).map((s) => s.value.index).sort((a, b) => a - b), range(10))
  t.equal(all.filter((s) => s.done).length, 2)
})
