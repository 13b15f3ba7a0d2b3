// Resource-aware admission: minFreeMemory and maxLoad hold a job until memory and load allow it.
import t from 'tap'
import os from 'node:os'
import { totalmem } from 'node:os'
import { manager } from '../helpers/manager.js'
import { eventually, sleep } from '../helpers/wait.js'

t.test('limits the machine meets: jobs run as usual', async (t) => {
  const pm = manager(t, { minFreeMemory: 1, maxLoad: 1e9 })
  const result = await (await pm.start('ok', { command: 'true' })).result
  t.equal(result.ok, true)
  const sized = manager(t, { minFreeMemory: '1KB' })
  t.equal((await (await sized.start('ok', { command: 'true' })).result).ok, true)
})

t.test('more free memory than the machine has: the job waits, and a cancel ends it unstarted', async (t) => {
  const pm = manager(t, { minFreeMemory: totalmem() * 2 })
  let started = false
  const handle = pm.start('held', { command: 'true' }).then((h) => {
    started = true
    return h
  })
  await sleep(600) // the test's point: nothing starts meanwhile, however many admission checks come due
  t.equal(started, false, 'not started while memory is short')
  t.equal(pm.runningCount, 0)
  pm.cancelAll('gave up')
  const result = await (await handle).result
  t.equal(result.cancelled, true)
  t.equal(result.attempts, 0)
  t.equal(result.pid, null)
})

t.test('a job held by the load starts once it has come down (os.loadavg as the machine reports it)', async (t) => {
  // The load cannot be lowered here: the limit is put just above it after the job has waited.
  const real = os.loadavg
  let reported = 1e6
  ;(os as { loadavg: () => number[] }).loadavg = () => [reported, reported, reported]
  t.teardown(() => {
    ;(os as { loadavg: () => number[] }).loadavg = real
  })
  const pm = manager(t, { maxLoad: 50 })
  let started = false
  const handle = pm.start('held', { command: 'true' }).then((h) => {
    started = true
    return h
  })
  await sleep(400) // the test's point: nothing starts meanwhile, however many admission checks come due
  t.equal(started, false, 'held while the load is high')
  reported = 0
  t.ok(await eventually(() => started, 5_000), 'started once the load fell')
  t.equal((await (await handle).result).ok, true)
})

t.test('bad limits are refused at construction, naming the value', async (t) => {
  t.throws(() => manager(t, { minFreeMemory: 'lots' }), /minFreeMemory "lots" is not a size/)
  t.throws(() => manager(t, { minFreeMemory: -1 }), /minFreeMemory must be a positive number of bytes, got -1/)
  t.throws(() => manager(t, { maxLoad: 0 }), /maxLoad must be a number above 0, got 0/)
  t.throws(() => manager(t, { maxLoad: '2' as never }), /maxLoad must be a number above 0, got "2"/)
})
