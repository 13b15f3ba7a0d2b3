// Parallel::ForkManager idioms that forkpool keeps as they are: a bare finish(), run_on_wait's
// callback called with no arguments, and wait_for_available_procs refused in the serial mode.
import t from 'tap'
import { manager } from '../helpers/manager.js'
import { ForkManager } from '../../dist/lib/index.js'

const bareFinish = new URL('../fixtures/workers/bare-finish.mjs', import.meta.url)

t.test('a worker that returns finish() alone ends with exit code 0, in a process and inline', async (t) => {
  for (const maxProcs of [1, 0]) {
    const pm = manager(t, { maxProcs })
    const result = await (await pm.start('bare', { worker: bareFinish })).result
    t.match(result, { ok: true, exitCode: 0, data: undefined, error: null }, `maxProcs ${maxProcs}`)
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
  await t.rejects(pm.waitForAvailableProcs(), { name: 'RangeError', message: 'waitForAvailableProcs(1) can never resolve: maxProcs is 0 (the serial mode has no slots: start() runs each job to its end)' })
  pm.setMaxProcs(1)
  await pm.waitForAvailableProcs(1)
  t.pass('with a slot it resolves')
})
