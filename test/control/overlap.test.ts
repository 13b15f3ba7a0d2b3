// Named jobs and their overlap policies (lib/control/overlap.ts, wired through lib/control/control-plane.ts).
import t from 'tap'
import { ForkManager, OverlapError, type JobResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'
import { processesGone, processesMatching, worker } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'

t.test("'cancel-old' (the default): the old run ends cancelled with reason 'overlap', the new one starts after it, " +
  'nothing is left', async (t) => {
  const pm = manager(t)
  const finished: JobResult[] = []
  pm.runOnFinish((r) => finished.push(r))
  const marker = 'sleep 93.17'
  const old = await pm.start('first', { command: 'sh', args: ['-c', `${marker} & wait`] }, { name: 'nightly-sync' })
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 2), 'sh and its sleep run')
  const fresh = await pm.start('second', { command: 'sleep', args: ['0.1'] }, { name: 'nightly-sync' })
  const oldResult = await old.result
  t.match(oldResult, { ident: 'first', cancelled: true, cancelReason: 'overlap', signal: 'SIGTERM' })
  t.ok(fresh.startedAt >= oldResult.startedAt + oldResult.durationMs - 5, 'the new run started once the old one had ended')
  t.ok(await processesGone(marker), 'the old run left no process behind (its grandchild included)')
  t.match(await fresh.result, { ident: 'second', exitCode: 0, cancelled: false })
  t.same(finished.map((r) => r.ident), ['first', 'second'], 'runOnFinish saw the overlapped run')
  await pm.close()
})

t.test("'cancel-old' on a process worker and a thread worker", async (t) => {
  const pm = manager(t)
  const grandchild = 'sleep 92.31'
  const proc = await pm.start('proc-old', { worker: worker('faults'), data: { mode: 'spawn-sleeper', value: 92.31 } }, { name: 'p' })
  t.ok(await eventually(async () => (await processesMatching(grandchild)).length === 1), 'the worker started its grandchild')
  const proc2 = await pm.start('proc-new', { worker: worker('faults'), data: { mode: 'ok', value: 1 } }, { name: 'p' })
  t.match(await proc.result, { cancelled: true, cancelReason: 'overlap', kind: 'process' })
  t.ok(await processesGone(grandchild), 'no process left: the grandchild went with it')
  t.ok(await processesGone('proc-old'), 'nor the worker process')
  t.equal((await proc2.result).data, 1)

  const thread = await pm.start('thread-old', { worker: worker('faults'), data: { mode: 'hang' }, isolation: 'thread' }, { name: 't' })
  const thread2 = await pm.start('thread-new', { worker: worker('sleep'), data: 10, isolation: 'thread' }, { name: 't' })
  t.match(await thread.result, { cancelled: true, cancelReason: 'overlap', kind: 'thread', error: { name: 'AbortError' } })
  t.equal((await thread2.result).exitCode, 0)
  await pm.close()
})

t.test("'cancel-old' also removes an older run still waiting for a slot", async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const blocker = await pm.start('blocker', { command: 'sleep', args: ['0.4'] })
  const waiting = pm.start('waiting', { command: 'sleep', args: ['5'] }, { name: 'n' })
  t.ok(await eventually(() => pm.inFlight().some((j) => j.ident === 'waiting' && j.state === 'queued')), "'waiting' waits for the slot")
  const newer = pm.start('newer', { command: 'true' }, { name: 'n' })
  const w = await waiting
  t.match(await w.result, { ident: 'waiting', cancelled: true, cancelReason: 'overlap', pid: null, exitCode: null })
  t.equal((await (await newer).result).exitCode, 0)
  t.equal((await blocker.result).exitCode, 0, 'other jobs are untouched')
})

t.test("'reject-new': the second start rejects with an error naming the job; the first runs on", async (t) => {
  const pm = manager(t)
  const first = await pm.start('one', { command: 'sleep', args: ['0.3'] }, { name: 'report' })
  const error = await pm.start('two', { command: 'true' }, { name: 'report', onOverlap: 'reject-new' }).catch((e: unknown) => e)
  t.ok(error instanceof OverlapError)
  t.match(error, {
    name: 'OverlapError', jobName: 'report',
    message: `job "report" is already in flight (ident "one"); onOverlap 'reject-new' refuses a second start`,
  })
  t.equal(pm.inFlight().length, 1, 'the rejected start left nothing in flight')
  t.match(await first.result, { exitCode: 0, cancelled: false })
  const later = await pm.start('three', { command: 'true' }, { name: 'report', onOverlap: 'reject-new' })
  t.equal((await later.result).exitCode, 0, 'once the first has ended the name is free')
})

t.test("the manager's default policy applies when a start gives none", async (t) => {
  const pm = manager(t, { onOverlap: 'reject-new' })
  const first = await pm.start('one', { command: 'sleep', args: ['0.2'] }, { name: 'x' })
  await t.rejects(pm.start('two', { command: 'true' }, { name: 'x' }), OverlapError)
  const allowed = await pm.start('three', { command: 'true' }, { name: 'x', onOverlap: 'allow' })
  t.equal((await allowed.result).exitCode, 0, 'a start can override the default')
  await first.result
})

t.test("'queue': each new run waits for the older ones, in order; a queued run can be cancelled", async (t) => {
  const pm = manager(t, { maxProcs: 4 })
  const order: string[] = []
  pm.runOnStart(({ ident }) => order.push(`start ${ident}`))
  pm.runOnFinish(({ ident }) => order.push(`end ${ident}`))
  const a = pm.start('a', { command: 'sleep', args: ['0.2'] }, { name: 'q', onOverlap: 'queue' })
  const b = pm.start('b', { command: 'sleep', args: ['0.1'] }, { name: 'q', onOverlap: 'queue' })
  const ac = new AbortController()
  const dropped = pm.start('dropped', { command: 'sleep', args: ['5'] }, { name: 'q', onOverlap: 'queue', signal: ac.signal })
  const c = pm.start('c', { command: 'true' }, { name: 'q', onOverlap: 'queue' })
  const states = () => pm.inFlight().map((j) => `${j.ident} ${j.state}`).join()
  t.ok(await eventually(() => states() === 'a running,b queued,dropped queued,c queued'), "'a' runs, the rest wait")
  t.same(pm.inFlight().map((j) => [j.ident, j.state]), [['a', 'running'], ['b', 'queued'], ['dropped', 'queued'], ['c', 'queued']])
  ac.abort('not needed')
  t.match(await (await dropped).result, { cancelled: true, cancelReason: 'not needed', pid: null })
  for (const h of [a, b, c]) t.equal((await (await h).result).exitCode, 0)
  t.same(order.filter((line) => !line.includes('dropped')), ['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  t.notOk(order.includes('start dropped'), 'the cancelled run never started')
})

t.test("'allow': runs of one name side by side", async (t) => {
  const pm = manager(t)
  const a = await pm.start('a', { command: 'sleep', args: ['0.3'] }, { name: 'free', onOverlap: 'allow' })
  const b = await pm.start('b', { command: 'sleep', args: ['0.3'] }, { name: 'free', onOverlap: 'allow' })
  t.same(pm.inFlight().map((j) => [j.name, j.state]), [['free', 'running'], ['free', 'running']])
  t.equal(pm.cancel('free', 'both'), 2, 'cancel by name reaches every run of it')
  t.match(await a.result, { cancelled: true, cancelReason: 'both' })
  t.match(await b.result, { cancelled: true, cancelReason: 'both' })
})

t.test('bad name, label and onOverlap throw at the call', async (t) => {
  t.throws(() => new ForkManager({ onOverlap: 'never' as never }), {
    name: 'RangeError', message: `onOverlap must be one of 'cancel-old', 'reject-new', 'queue', 'allow', got "never"`,
  })
  const pm = manager(t, { maxProcs: 1 })
  await t.rejects(pm.start('x', { command: 'true' }, { name: '' }), {
    name: 'RangeError', message: 'start() name must be a non-empty ' +
    'string, got ""'
  })
  await t.rejects(pm.start('x', { command: 'true' }, { name: 7 as never }), {
    name: 'TypeError', message: 'start() name must be a ' +
    'non-empty string, got 7'
  })
  await t.rejects(pm.start('x', { command: 'true' }, { label: {} as never }), { message: 'start() label must be a string, got an object' })
  await t.rejects(pm.start('x', { command: 'true' }, { name: 'n', onOverlap: 'both' as never }), {
    message: /start\(\) onOverlap must be one of/,
  })
  t.equal(pm.inFlight().length, 0)
})

t.test("the first 'cancel-old' cancel of a manager is a process warning with a code; later ones and other policies are not", async (t) => {
  const warnings: Array<Error & { code?: string }> = []
  const onWarning = (warning: Error & { code?: string }): void => {
    if (warning.name === 'ForkpoolOverlapWarning') warnings.push(warning)
  }
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  const pm = manager(t)
  const sleep = { command: 'sleep', args: ['5'] }
  await pm.start('a.png', sleep, { name: 'resize', onOverlap: 'allow' })
  await pm.start('b.png', sleep, { name: 'resize', onOverlap: 'allow' })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(warnings.length, 0, "'allow' cancels nothing")
  const c = pm.start('c.png', { command: 'true' }, { name: 'resize' })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(warnings.length, 1)
  t.match(warnings[0], {
    code: 'FORKPOOL_OVERLAP_CANCEL',
    // eslint-disable-next-line @stylistic/max-len -- one regular expression for one message
    message: /a start of the name "resize" cancels the 2 jobs of that name in flight \("a\.png", "b\.png"\).*onOverlap: 'allow'.*once per manager/,
  })
  await (await c).result
  await pm.start('d.png', sleep, { name: 'resize' })
  await (await pm.start('e.png', { command: 'true' }, { name: 'resize' })).result
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(warnings.length, 1, 'once per manager')
  const other = manager(t)
  await other.start('x', sleep, { name: 'n' })
  await (await other.start('y', { command: 'true' }, { name: 'n' })).result
  await new Promise((resolve) => setImmediate(resolve))
  t.match(warnings.map((w) => w.message), [/"resize"/, /cancels the job of that name in flight \("x"\)/], 'and once for each manager')
})
