// The rest of ForkManager's surface: bad arguments, waits, callbacks, serial mode, cancellation, close.
import t from 'tap'
import { ForkManager, type JobResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'
import { eventually, sleep } from '../helpers/wait.js'

// maxProcs -1, 1.5 and NaN are rows of test/behaviour/bad-input.test.ts.
t.test('bad constructor options throw at once, naming the value', async (t) => {
  t.throws(() => new ForkManager({ maxProcs: '2' as unknown as number }), {
    name: 'TypeError', message: 'maxProcs must be a whole number ' +
    '>= 0, got "2"'
  })
  t.throws(() => new ForkManager({ timeout: 'soon' }), { name: 'RangeError', message: /timeout "soon" is not a duration/ })
  t.throws(() => new ForkManager({ killGrace: -1 }), { name: 'RangeError', message: /killGrace/ })
  t.throws(() => new ForkManager(null as unknown as object), { name: 'TypeError', message: /options must be an object, got null/ })
  const byDefault = new ForkManager()
  t.ok(byDefault.maxProcs >= 1, 'defaults to the available parallelism')
  await byDefault.close()
  const pm = manager(t, { maxProcs: 1 })
  t.throws(() => pm.setMaxProcs(-2), RangeError)
  t.throws(() => pm.runOnStart('no' as unknown as () => void), {
    name: 'TypeError', message: 'runOnStart callback must be a function, got "no"',
  })
  t.throws(() => pm.runOnFinish(undefined as unknown as () => void), TypeError)
  t.throws(() => pm.runOnWait(() => {}, 0), RangeError)
})

t.test('bad start arguments reject at once with TypeError/RangeError', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const w = worker('square')
  await t.rejects(pm.start(42 as unknown as string, { command: 'true' }), {
    name: 'TypeError', message: 'start() ident must be a string, got 42',
  })
  await t.rejects(pm.start('x', null as never), { name: 'TypeError', message: /a job must be an object.*got null/ })
  await t.rejects(pm.start('x', {} as never), {
    name: 'TypeError', message: 'a job needs a command or a worker, got an object with keys ' +
    '[]'
  })
  await t.rejects(pm.start('x', { command: 'ls', worker: w }), { message: 'a job has either command or worker, not both' })
  await t.rejects(pm.start('x', { worker: w, isolation: 'fork' } as never), {
    name: 'RangeError', message: `job.isolation must be one of ` +
    `'process', 'process-pool', 'thread', got "fork"`
  })
  await t.rejects(pm.start('x', { command: 'ls' }, { timeout: 'later' }), {
    name: 'RangeError', message: /timeout "later" is not a duration/,
  })
  await t.rejects(pm.start('x', { command: 'ls' }, { killGrace: 0 }), RangeError)
  await t.rejects(pm.start('x', { command: 'ls' }, { signal: {} as AbortSignal }), {
    name: 'TypeError', message: 'start() signal must be an AbortSignal, got an object',
  })
  await t.rejects(pm.start('x', { command: 'ls' }, null as never), { message: 'start() options must be an object, got null' })
  await t.rejects(pm.start('x', { worker: w, data: { f: () => 1 } }), {
    name: 'TypeError', message: /start\("x"\): job.data cannot be sent to a worker/,
  })
  await t.rejects(pm.start('x', { worker: w, data: Symbol('s') }), { name: 'TypeError' })
  t.equal(pm.runningCount, 0, 'nothing was started')
  t.equal(await (await pm.start('null data is fine', { worker: w, data: null })).result.then((r) => r.data), 0)
})

t.test('capture puts stdout and stderr in the JobResult', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const r = await (await pm.start('ls', { command: 'sh', args: ['-c', 'echo out; echo err >&2'], capture: true })).result
  t.match(r, { exitCode: 0, stdout: 'out\n', stderr: 'err\n', kind: 'command' })
  t.notOk('stdout' in (await (await pm.start('quiet', { command: 'true' })).result), 'no capture, no stdout key')
})

t.test("a handle is given once the job runs here: its pid, this machine's host; a job given up before it ran has neither", async (t) => {
  const { hostname } = await import('node:os')
  for (const spawner of [true, false]) {
    const pm = manager(t, { maxProcs: 1, spawner })
    const starts: unknown[] = []
    pm.runOnStart((info) => starts.push(info))
    const command = await pm.start('cmd', { command: 'sleep', args: ['0.2'] }, { name: 'one' })
    const waiting = pm.start('later', { command: 'true' }, { name: 'one', onOverlap: 'queue' })
    t.match(command, { kind: 'command', pid: Number, host: hostname() }, `spawner: ${spawner}`)
    t.match(starts, [{ ident: 'cmd', pid: command.pid, host: hostname() }], 'runOnStart came before the handle, with the same pid')
    const fresh = await pm.start('worker', { worker: worker('add-one'), data: 1 })
    t.match(fresh, { kind: 'process', pid: Number, host: hostname() })
    t.equal(pm.cancel('later', 'not now'), 1)
    t.match(await waiting, { ident: 'later', pid: null, host: null })
    await Promise.all([command.result, fresh.result])
  }
})

t.test('runOnWait ticks while jobs run, then stops', async (t) => {
  const pm = manager(t)
  let ticks = 0
  let lateTicks = 0
  pm.runOnWait(() => ticks++, 50)
  const a = await pm.start('a', { command: 'sleep', args: ['30'] })
  await pm.start('b', { command: 'sleep', args: ['0.1'] })
  pm.runOnWait(() => lateTicks++, '50ms') // added while running: starts ticking at once
  // 'a' runs until both have ticked three times, however late a loaded machine runs the timers.
  t.ok(await eventually(() => ticks >= 3 && lateTicks >= 3, 10_000), `ticked ${ticks} and ${lateTicks} times`)
  a.cancel()
  await pm.waitAllChildren()
  const after = ticks + lateTicks
  // A window in which the idle manager must not tick.
  await sleep(150)
  t.equal(ticks + lateTicks, after, 'idle: no ticks')
  pm.runOnWait(() => ticks++)
})

t.test('waitOneChild, waitForAvailableProcs, running pids', async (t) => {
  const pm = manager(t)
  t.equal(await pm.waitOneChild(), undefined, 'nothing running: resolves at once')
  await pm.waitForAvailableProcs(2)
  const slow = await pm.start('slow', { command: 'sleep', args: ['0.4'] })
  const fast = await pm.start('fast', { command: 'sleep', args: ['0.05'] })
  t.same(pm.runningProcs().sort(), [slow.pid, fast.pid].filter((p) => p !== null).sort())
  t.equal(pm.runningProcsWithIdentifiers().get(slow.pid!), 'slow')
  const first = await pm.waitOneChild()
  t.equal(first?.ident, 'fast')
  await pm.waitForAvailableProcs(1)
  t.ok(pm.runningCount <= 1)
  await t.rejects(pm.waitForAvailableProcs(3), { name: 'RangeError', message: /can never resolve: maxProcs is 2/ })
  t.throws(() => pm.waitForAvailableProcs(0), RangeError)
  await pm.waitAllChildren()
  t.equal(pm.runningCount, 0)
})

t.test('a callback that throws is a warning, and the jobs go on', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const warnings: Error[] = []
  const onWarning = (w: Error) => warnings.push(w)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  pm.runOnStart(() => { throw new Error('start cb broke') })
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a callback that throws a non-Error is the case
  pm.runOnFinish(() => { throw 'finish cb broke' })
  const h = await pm.start('x', { command: 'true' })
  t.equal((await h.result).exitCode, 0)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(warnings.map((w) => w.message), ['start cb broke', 'finish cb broke'])
  t.equal(warnings[0]!.name, 'Error')
})

t.test('maxProcs 0 is the serial debug mode: each job ends inside start, in this process', async (t) => {
  const pm = manager(t, { maxProcs: 0 })
  const order: string[] = []
  pm.runOnStart(({ ident, pid, kind }) => order.push(`start ${ident} ${kind} ${pid === process.pid}`))
  pm.runOnFinish(({ ident, exitCode }) => order.push(`finish ${ident} ${exitCode}`))
  const a = await pm.start('Fred', { worker: worker('name-length'), data: 'Fred', isolation: 'thread' })
  order.push('returned')
  const b = await pm.start('cmd', { command: 'sh', args: ['-c', 'exit 2'] })
  t.same(order, ['start Fred inline true', 'finish Fred 4', 'returned', 'start cmd command false', 'finish cmd 2'])
  t.match(await a.result, { kind: 'inline', pid: process.pid, data: { name: 'Fred', pid: process.pid } })
  t.equal((await b.result).exitCode, 2)
  // Data need not be cloneable inline: it never leaves the process.
  const fn = await pm.start('fn', { worker: worker('faults'), data: { mode: 'ok', value: 'v', extra: () => 1 } })
  t.equal((await fn.result).data, 'v')
})

t.test('inline jobs: timeouts fire ctx.signal; a job that does not listen is abandoned at once, one that ignores it after the ' +
  'grace', async (t) => {
  const pm = manager(t, { maxProcs: 0, timeout: 100, killGrace: 100 })
  const polite = await pm.start('p', { worker: worker('faults'), data: { mode: 'hang' } })
  t.match(await polite.result, { timedOut: true, exitCode: 1, error: { name: 'AbortError' } })
  // As a fresh process that never read ctx.signal dies by the SIGTERM, without waiting for killGrace.
  const deaf = await (await pm.start('d', {
    worker: worker('faults'), data: { mode: 'hang-deaf', ms: 20_000 },
  }, { killGrace: '10s' })).result
  t.match(deaf, { timedOut: true, exitCode: null, error: { message: /inline job "d" does not listen to ctx.signal and was abandoned/ } })
  t.ok(deaf.durationMs < 5000, `abandoned at the timeout, not after killGrace: ${deaf.durationMs} ms`)
  const ignoring = await pm.start('i', { worker: worker('faults'), data: { mode: 'hang-deaf', listen: true, ms: 600 } })
  t.match(await ignoring.result, { timedOut: true, exitCode: null, error: { message: /ignored its stop signal and was abandoned/ } })
})

t.test('cancel by AbortSignal: queued jobs never start, running ones are stopped', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const finished: JobResult[] = []
  pm.runOnFinish((r) => finished.push(r))
  const ac = new AbortController()
  const running = await pm.start('running', { command: 'sleep', args: ['5'] }, { signal: ac.signal })
  const queued = pm.start('queued', { command: 'sleep', args: ['5'] }, { signal: ac.signal })
  t.ok(await eventually(() => pm.inFlight().some((j) => j.ident === 'queued' && j.state === 'queued')), "'queued' waits for the slot")
  ac.abort('stop all')
  const q = await queued
  t.match(await q.result, { ident: 'queued', cancelled: true, cancelReason: 'stop all', pid: null, exitCode: null, kind: 'command' })
  q.cancel()
  t.match(await running.result, { cancelled: true, cancelReason: 'stop all', signal: 'SIGTERM' })
  t.same(finished.map((r) => r.ident).sort(), ['queued', 'running'], 'runOnFinish saw both')
  const late = await pm.start('late', { command: 'sleep', args: ['5'] }, { signal: AbortSignal.abort('before') })
  t.match(await late.result, { cancelled: true, cancelReason: 'before' })
  await pm.close()
})

t.test('KILL follows TERM after killGrace for a job that ignores TERM', async (t) => {
  const pm = manager(t, { maxProcs: 1, killGrace: 300 })
  // A second for the shell to set its trap, even on a loaded machine (at 100 ms, a TERM came first once).
  const h = await pm.start('stubborn', { command: 'sh', args: ['-c', 'trap "" TERM; sleep 5 & wait; sleep 5'] }, { timeout: '1s' })
  const r = await h.result
  t.match(r, { timedOut: true, signal: 'SIGKILL', exitCode: null })
  t.ok(r.durationMs >= 1290, `TERM at 1 s, KILL 300 ms later: ${r.durationMs}`)
})

t.test('after shutdown(), a start says shutdown(), not close()', async (t) => {
  const pm = new ForkManager({ maxProcs: 1 })
  await pm.shutdown()
  await t.rejects(pm.start('late', { command: 'true' }), {
    name: 'ManagerClosedError', message: 'ForkManager is closed: cannot start "late" after shutdown()',
  })
  const closedFirst = new ForkManager({ maxProcs: 1 })
  await closedFirst.close()
  await closedFirst.shutdown()
  await t.rejects(closedFirst.start('late', { command: 'true' }), {
    message: 'ForkManager is closed: cannot start "late" after close()',
  }, 'the call that closed it is named')
})

t.test('cancelAll() counts only the jobs it asked to stop, not those stopping already', async (t) => {
  const pm = manager(t, { maxProcs: 2 })
  const trapped = { command: 'sh', args: ['-c', 'trap "" TERM; sleep 5 & wait; sleep 5'] }
  const a = await pm.start('a', trapped)
  const b = await pm.start('b', trapped)
  const queued = pm.start('queued', { command: 'true' })
  a.cancel('first')
  t.equal(pm.cancelAll('all'), 2, 'b and the queued job; a is stopping already')
  t.equal(pm.cancelAll('again'), 0, 'every job is stopping already')
  t.match(await a.result, { cancelled: true, cancelReason: 'first' })
  t.match(await b.result, { cancelled: true, cancelReason: 'all' })
  t.match(await (await queued).result, { cancelled: true, cancelReason: 'all' })
})

t.test('durations are rounded to the microsecond (0.001 ms)', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const r = await (await pm.start('d', { command: 'true' })).result
  t.ok(r.durationMs > 0)
  t.equal(r.durationMs, Math.round(r.durationMs * 1000) / 1000, `durationMs ${r.durationMs} has at most 3 decimals`)
  const { p50, p95, max } = pm.stats().durationMs!
  t.same([p50, p95, max], [r.durationMs, r.durationMs, r.durationMs], 'and so are the stats taken from it')
})

t.test('close() waits for jobs, is idempotent, and later starts reject', async (t) => {
  const pm = new ForkManager({ maxProcs: 2 })
  const h = await pm.start('t', { worker: worker('sleep'), data: 100, isolation: 'thread' })
  const closing = pm.close()
  t.equal(pm.close(), closing)
  await closing
  t.equal((await h.result).exitCode, 0)
  await t.rejects(pm.start('late', { command: 'true' }), { message: 'ForkManager is closed: cannot start "late" after close()' })
  await using pm2 = new ForkManager()
  await pm2.start('x', { command: 'true' })
})
