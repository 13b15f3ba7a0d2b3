// Ripcords: pm.cancel by name, ident or handle, pm.cancelAll, for queued and running jobs of each kind.
import t from 'tap'
import path from 'node:path'
import { AmbiguousJobError, type JobResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'
import { processesGone, processesMatching, worker } from '../helpers/paths.js'
import { eventually, untilFile } from '../helpers/wait.js'

t.test('pm.cancel by name stops a running command, process worker and thread worker; runOnFinish sees each', async (t) => {
  const pm = manager(t, { maxProcs: 3 })
  const finished: JobResult[] = []
  pm.runOnFinish((r) => finished.push(r))
  const marker = 'sleep 91.27'
  const command = await pm.start('cmd', { command: 'sh', args: ['-c', `${marker} & wait`] }, { name: 'c' })
  const proc = await pm.start('cancel-proc-91', { worker: worker('faults'), data: { mode: 'spawn-sleeper', value: 91.28 } }, { name: 'p' })
  const thread = await pm.start('thr', { worker: worker('faults'), data: { mode: 'hang' }, isolation: 'thread' }, { name: 't' })
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 2))
  // The worker's grandchild runs once the worker is at its wait, listening to ctx.signal.
  t.ok(await eventually(async () => (await processesMatching('sleep 91.28')).length === 1, 10_000))
  t.equal(pm.cancel('c', 'by name'), 1)
  t.equal(pm.cancel('p', 'by name'), 1)
  t.equal(pm.cancel('t', 'by name'), 1)
  t.match(await command.result, { cancelled: true, cancelReason: 'by name', signal: 'SIGTERM', kind: 'command' })
  t.match(await proc.result, { cancelled: true, cancelReason: 'by name', kind: 'process', exitCode: 1, error: { name: 'AbortError' } })
  // exit code 1 when the worker heard the stop, null when it was terminated before it listened.
  t.match(await thread.result, { cancelled: true, cancelReason: 'by name', kind: 'thread', error: { name: 'AbortError' } })
  t.ok(await processesGone(marker), 'the command left no process')
  t.ok(await processesGone('cancel-proc-91'), 'the worker process is gone')
  t.ok(await processesGone('sleep 91.28'), 'and the process it started')
  t.same(finished.map((r) => r.ident).sort(), ['cancel-proc-91', 'cmd', 'thr'])
  t.equal(pm.cancel('c'), 0, 'nothing of that name is left')
  await pm.close()
})

t.test('pm.cancel by ident when unique; an ident shared by several jobs is an AmbiguousJobError', async (t) => {
  const pm = manager(t, { maxProcs: 3 })
  const one = await pm.start('solo', { command: 'sleep', args: ['5'] })
  const twinA = await pm.start('twin', { command: 'sleep', args: ['5'] })
  const twinB = await pm.start('twin', { command: 'sleep', args: ['5'] })
  t.throws(() => pm.cancel('twin'), AmbiguousJobError)
  t.throws(() => pm.cancel('twin'), { message: '2 jobs in flight have the ident "twin": cancel them by name or by handle' })
  t.equal(pm.cancel('solo'), 1)
  t.match(await one.result, { cancelled: true, cancelReason: 'cancelled' }, "the default reason is 'cancelled'")
  t.equal(pm.cancel('nobody'), 0)
  t.equal(pm.cancel(twinA, 'by handle'), 1, 'a handle cancels its job')
  t.match(await twinA.result, { cancelled: true, cancelReason: 'by handle' })
  t.equal(pm.cancel(twinA), 0, 'a finished handle: nothing left to cancel')
  t.equal(pm.cancel('twin', 'now unique'), 1)
  t.match(await twinB.result, { cancelled: true, cancelReason: 'now unique' })
  t.throws(() => pm.cancel(42 as never), { name: 'TypeError', message: "cancel() takes a job's name, its ident or its handle, got 42" })
  t.throws(() => pm.cancel({} as never), TypeError)
})

t.test('the handle of a job cancelled before it started has nothing to cancel', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const busy = await pm.start('busy', { command: 'sleep', args: ['5'] })
  const queued = pm.start('queued', { command: 'true' })
  t.equal(pm.cancel('queued', 'never mind'), 1)
  const never = await queued
  t.match(await never.result, { cancelled: true, cancelReason: 'never mind', pid: null })
  t.equal(pm.cancel(never), 0)
  busy.cancel()
  await pm.close()
})

t.test('cancelling a job still waiting for a slot removes it without starting it', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const started: string[] = []
  const finished: JobResult[] = []
  pm.runOnStart(({ ident }) => started.push(ident))
  pm.runOnFinish((r) => finished.push(r))
  const busy = await pm.start('busy', { command: 'sleep', args: ['0.3'] })
  const queuedProc = pm.start('queued-proc', { worker: worker('sleep'), data: 5000 }, { name: 'qp' })
  const queuedThread = pm.start('queued-thread', { worker: worker('sleep'), data: 5000, isolation: 'thread' }, { name: 'qt' })
  const queuedCmd = pm.start('queued-cmd', { command: 'sleep', args: ['5'] })
  const states = () => pm.inFlight().map((j) => j.state).join()
  t.ok(await eventually(() => states() === 'running,queued,queued,queued'), 'the three wait for the slot')
  t.same(pm.inFlight().map((j) => j.state), ['running', 'queued', 'queued', 'queued'])
  t.equal(pm.cancel('qp', 'q1'), 1)
  t.equal(pm.cancel('qt', 'q2'), 1)
  t.equal(pm.cancel('queued-cmd', 'q3'), 1)
  t.match(await (await queuedProc).result, { cancelled: true, cancelReason: 'q1', pid: null, kind: 'process', durationMs: 0 })
  t.match(await (await queuedThread).result, { cancelled: true, cancelReason: 'q2', pid: null, kind: 'thread' })
  t.match(await (await queuedCmd).result, { cancelled: true, cancelReason: 'q3', pid: null, kind: 'command' })
  t.equal((await busy.result).exitCode, 0)
  t.same(started, ['busy'], 'none of the cancelled jobs started')
  t.same(finished.map((r) => r.ident).sort(), ['busy', 'queued-cmd', 'queued-proc', 'queued-thread'])
  await pm.close()
})

t.test('pm.cancelAll stops running and queued jobs alike, and leaves no process', async (t) => {
  const pm = manager(t, { killGrace: 500 })
  const marker = 'sleep 90.43'
  const r2Runs = path.join(t.testdir(), 'r2 runs')
  const running = [
    await pm.start('r1', { command: 'sh', args: ['-c', `trap "" TERM; ${marker}`] }),
    await pm.start('r2', { worker: worker('faults'), data: { mode: 'hang-deaf', ready: r2Runs }, isolation: 'thread' }),
  ]
  const queued = pm.start('q', { command: 'sleep', args: ['5'] })
  // sh runs its sleep only after the trap: from then on it ignores TERM.
  t.ok(await eventually(async () => (await processesMatching(`^${marker}`)).length === 1, 15_000), 'r1 ignores TERM')
  t.ok(await untilFile(r2Runs), 'r2 runs')
  t.equal(pm.cancelAll('shutdown'), 3)
  t.same(pm.inFlight().filter((j) => j.state !== 'queued').map((j) => j.state), ['stopping', 'stopping'])
  const results = await Promise.all([...running.map((h) => h.result), (await queued).result])
  for (const r of results) t.match(r, { cancelled: true, cancelReason: 'shutdown' })
  t.equal(results[0].signal, 'SIGKILL', 'a command that ignores TERM gets KILL after the grace')
  t.match(results[1], { error: { message: /^the worker thread was terminated$/ } }, 'a deaf thread is stopped')
  t.ok(await processesGone(marker), 'no process is left')
  t.equal(pm.cancelAll(), 0, 'nothing left')
  t.same(pm.inFlight(), [])
  await pm.close()
})

t.test('the start signal and handle.cancel go through the same path', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const ac = new AbortController()
  const h = await pm.start('sig', { command: 'sleep', args: ['5'] }, { signal: ac.signal, name: 'sig' })
  ac.abort('signalled')
  t.match(await h.result, { cancelled: true, cancelReason: 'signalled' })
  const h2 = await pm.start('sig2', { command: 'sleep', args: ['5'] }, { signal: ac.signal })
  t.match(await h2.result, { cancelled: true, cancelReason: 'signalled' }, 'an already aborted signal cancels at once')
  const calm = new AbortController()
  const h3 = await pm.start('h3', { command: 'sleep', args: ['0.05'] }, { signal: calm.signal })
  t.equal((await h3.result).exitCode, 0)
  calm.abort('too late')
  t.same(pm.inFlight(), [], 'a finished job no longer listens to its signal')
})

t.test("cancel() with a handle it did not make calls that handle's cancel and counts nothing", async (t) => {
  const pm = manager(t)
  const reasons: unknown[] = []
  t.equal(pm.cancel({
    ident: 'mine', kind: 'command', pid: null, startedAt: 0, result: new Promise(() => {}), cancel: (reason) => reasons.push(reason),
  }, 'why'), 0)
  t.same(reasons, ['why'])
})

t.test('a job cancelled while it is being launched, whose launch then fails, ends cancelled with the launch error', async (t) => {
  const pm = manager(t)
  // An environment over the kernel's 128 KiB limit for one string: the spawn fails with E2BIG.
  const started = pm.start('huge-env', { command: 'true', env: { HUGE: 'x'.repeat(200_000) } })
  t.equal(pm.cancel('huge-env', 'changed my mind'), 1, 'in flight: launching')
  const result = await (await started).result
  t.match(result, { ok: false, cancelled: true, cancelReason: 'changed my mind', pid: null, error: { code: 'E2BIG' } })
})
