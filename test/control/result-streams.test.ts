// pm.results(): a Channel-backed stream of JobResults (lib/control/result-streams.ts).
import t from 'tap'
import { ForkManager, type JobResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'
import { eventually, sleep } from '../helpers/wait.js'

/** Whether `p` settles within `ms`: a window in which something must not happen. */
const settledWithin = async (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), sleep(ms).then(() => false)])

t.test('yields each JobResult as it finishes and ends after close()', async (t) => {
  const pm = new ForkManager({ maxProcs: 3 })
  const stream = pm.results()
  const producer = (async () => {
    await pm.start('slow', { command: 'sleep', args: ['0.8'] })
    await pm.start('fast', { command: 'true' })
    await pm.start('mid', { command: 'sleep', args: ['0.4'] })
    await pm.close()
  })()
  const seen: string[] = []
  for await (const r of stream) seen.push(r.ident)
  await producer
  t.same(seen, ['fast', 'mid', 'slow'], 'in finishing order, then the stream ends')
  const late: JobResult[] = []
  for await (const r of pm.results()) late.push(r)
  t.same(late, [], 'a stream asked for after close() is over at once')
})

t.test('a full stream holds finished jobs in their slots until its reader catches up (backpressure)', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const stream = pm.results({ capacity: 1 })
  const first = await pm.start('one', { command: 'true' })
  await first.result
  const second = await pm.start('two', { command: 'true' })
  // 'one' fills the stream; 'two' has ended but keeps the only slot until there is room for its result.
  const third = pm.start('three', { command: 'true' })
  t.notOk(await settledWithin(third, 400), 'the next job waits: nobody reads the full stream')
  t.equal(pm.inFlight().filter((j) => j.state !== 'queued').length, 0, "the registry no longer lists 'two': it has ended")
  const got: string[] = []
  for await (const r of stream) {
    got.push(r.ident)
    if (got.length === 3) break
  }
  t.same(got, ['one', 'two', 'three'])
  t.equal((await second.result).exitCode, 0)
  t.equal((await (await third).result).exitCode, 0)
  // The stream ended with break: later jobs no longer wait for it.
  await (await pm.start('four', { command: 'true' })).result
  await pm.close()
})

t.test('close() does not wait for an unread stream; the stream still gets every result', async (t) => {
  const pm = new ForkManager({ maxProcs: 4 })
  const stream = pm.results({ capacity: 1 })
  const handles = []
  for (const ident of ['a', 'b', 'c', 'd']) handles.push(await pm.start(ident, { command: 'sleep', args: ['0.1'] }))
  // Not handles[0].result: whichever job ends first fills the stream, and the others' results wait.
  t.ok(await eventually(() => pm.inFlight().length === 0, 10_000), 'every job has ended')
  t.equal(pm.runningCount, 3, 'three ended jobs hold their slots: the stream is full')
  await pm.close()
  t.equal(pm.runningCount, 0)
  for (const h of handles) t.equal((await h.result).exitCode, 0)
  const seen: string[] = []
  for await (const r of stream) seen.push(r.ident)
  t.same(seen.sort(), ['a', 'b', 'c', 'd'])
})

t.test("a stream's signal ends it; cancelled queued jobs are in the stream too", async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const ac = new AbortController()
  const stream = pm.results({ signal: ac.signal })
  const running = await pm.start('running', { command: 'sleep', args: ['5'] })
  const queued = pm.start('queued', { command: 'true' }, { name: 'q' })
  t.ok(await eventually(() => pm.inFlight().some((j) => j.ident === 'queued' && j.state === 'queued')), "'queued' waits for the slot")
  pm.cancel('q', 'dropped')
  running.cancel('stopped')
  const seen: JobResult[] = []
  for await (const r of stream) {
    seen.push(r)
    if (seen.length === 2) ac.abort()
  }
  t.same(seen.map((r) => [r.ident, r.cancelReason]).sort(), [['queued', 'dropped'], ['running', 'stopped']])
  await (await queued).result
  await (await pm.start('after', { command: 'true' })).result
  const dead = pm.results({ signal: AbortSignal.abort() })
  t.same(await dead.next(), { done: true, value: undefined }, 'an aborted signal: an ended stream')
  await pm.close()
})

t.test('bad options throw', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  t.throws(() => pm.results({ capacity: 0 }), { name: 'RangeError', message: 'results() capacity must be a whole number >= 1, got 0' })
  t.throws(() => pm.results(null as never), { name: 'TypeError', message: 'results() options must be an object, got null' })
  t.throws(() => pm.results({ capacty: 2 } as never), {
    name: 'TypeError', message: '"capacty" is not a results() option; did you mean capacity?',
  })
  t.throws(() => pm.results({ ordered: true } as never), {
    name: 'TypeError', message: '"ordered" is not a results() option; it takes capacity, signal',
  })
  t.throws(() => pm.results({ signal: true as never }), { name: 'TypeError', message: 'results() signal must be an AbortSignal, got true' })
})
