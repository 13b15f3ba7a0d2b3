// Parallel::ForkManager idioms that forkpool keeps as they are: a bare finish(), finish() as a
// statement, run_on_wait's callback called with no arguments, and wait_for_available_procs refused
// in the serial mode.
import t from 'tap'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'

const bareFinish = new URL('../fixtures/workers/bare-finish.mjs', import.meta.url)

t.test('a worker that returns finish() alone ends with exit code 0, in a process and inline', async (t) => {
  for (const maxProcs of [1, 0]) {
    const pm = manager(t, { maxProcs })
    const result = await (await pm.start('bare', { worker: bareFinish })).result
    t.match(result, { ok: true, exitCode: 0, data: undefined, error: null }, `maxProcs ${maxProcs}`)
  }
})

t.test('finish(code, data) as a statement, with no return, decides the job under every isolation', async (t) => {
  const finishStatement = worker('finish-statement')
  const isolations = [['process', {}], ['process-pool', { processPool: { concurrentTasksPerWorker: 4 } }],
    ['thread', { threadPool: { concurrentTasksPerWorker: 4 } }]] as const
  for (const [isolation, options] of isolations) {
    const pm = manager(t, { maxProcs: 4, ...options })
    // Four jobs side by side (in one process or thread where the pool shares them), whose finish() calls come in another order than their
    // starts.
    const waits = [40, 10, 30, 20]
    const handles = await Promise.all(waits.map((waitMs, i) => pm.start(`j${i}`, {
      worker: finishStatement, isolation, data: { code: i + 1, value: i, waitMs },
    })))
    const results = await Promise.all(handles.map((h) => h.result))
    t.same(results.map((r) => [r.exitCode, r.data]), waits.map((_, i) => [i + 1, { value: i, ident: `j${i}` }]), isolation)
  }
  const inline = manager(t, { maxProcs: 0 })
  const result = await (await inline.start('inline', { worker: finishStatement, data: { code: 3, value: 'x' } })).result
  t.match(result, { exitCode: 3, data: { value: 'x', ident: 'inline' }, kind: 'inline' }, 'inline (maxProcs 0)')
  // map() items: the chunk worker takes each item's finish() alone, under every isolation.
  for (const maxProcs of [2, 0]) {
    const pm = manager(t, { maxProcs })
    for (const isolation of maxProcs === 0 ? (['process'] as const) : (['process', 'process-pool', 'thread'] as const)) {
      const items = await pm.map([{ code: 0, value: 'a' }, { code: 2, value: 'b', waitMs: 5 }], { worker: finishStatement, isolation },
        { chunkSize: 2 }).all()
      t.match(items,
        [{ index: 0, ok: true, exitCode: 0, data: { value: 'a' } }, {
          index: 1, ok: false, exitCode: 2, data: { value: 'b' }, error: null,
        }], `map() items, ${isolation}, maxProcs ${maxProcs}`)
    }
  }
})

t.test('runOnWait callbacks are called with no arguments', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const calls: unknown[][] = []
  pm.runOnWait((...args: unknown[]) => calls.push(args), 20)
  const job = await pm.start('wait', { command: 'sleep', args: ['0.2'] })
  await job.result
  t.ok(calls.length > 0, `called ${calls.length} times while the job ran`)
  t.ok(calls.every((args) => args.length === 0), 'never with an argument')
})

t.test('waitForAvailableProcs in the serial mode rejects at once, as Parallel::ForkManager refuses it', async (t) => {
  const pm = manager(t, { maxProcs: 0 })
  await t.rejects(pm.waitForAvailableProcs(), {
    name: 'RangeError',
    message: 'waitForAvailableProcs(1) can never resolve: maxProcs is 0 (the serial mode has no slots: start() runs each job to its end)',
  })
  pm.setMaxProcs(1)
  await pm.waitForAvailableProcs(1)
  t.pass('with a slot it resolves')
})
