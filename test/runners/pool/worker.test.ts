import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { WorkerExitError, WorkerStartError } from '../../../dist/lib/index.js'
import { manager } from '../../helpers/manager.js'
import { alive, running, worker } from '../../helpers/paths.js'
import { pooled, run } from '../../helpers/pool.js'
import { eventually, sleep, untilFile } from '../../helpers/wait.js'

const faults = worker('faults')
const probe = worker('pool-probe')
// Generous: these tests start many Node processes, and the machine may be loaded.
t.setTimeout(240_000)

t.test('a process that dies mid-job settles that job, is replaced, and the pool carries on', async (t) => {
  const pm = manager(t)
  const bystander = pm.start('bystander', { worker: faults, data: { mode: 'hang', ms: 500 }, ...pooled })
  const exited = await run(pm, { worker: faults, data: { mode: 'exit', code: 9 } })
  t.match(exited, {
    exitCode: 9, signal: null, data: undefined, error: {
      name: 'WorkerExitError', code: WorkerExitError.code, message: /exited with code 9; the pool replaces it/,
    },
  })
  const killed = await run(pm, { worker: faults, data: { mode: 'kill', signal: 'SIGSEGV' } })
  t.match(killed, { exitCode: null, signal: 'SIGSEGV', coreDump: true, error: { message: /exited by SIGSEGV/ } })
  t.not(killed.pid, exited.pid, 'a new process took the dead one\'s place')
  t.match(await (await bystander).result, { exitCode: 0, data: 'woke up' }, 'the job in the other process was not disturbed')
  t.match(await run(pm, { worker: faults, data: { mode: 'ok', value: 1 } }), { exitCode: 0, data: 1 })
})

t.test('a free process killed from outside is replaced', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const { pid } = await run(pm, { worker: probe })
  process.kill(pid!, 'SIGKILL')
  t.ok(await eventually(() => !alive(pid), 2000))
  // The pool hears of the death when the IPC channel closes, which nothing public shows: a moment for it.
  await sleep(100)
  const next = await run(pm, { worker: probe })
  t.match(next, { exitCode: 0, error: null, data: { jobs: 1 } })
  t.not(next.pid, pid)
})

t.test('a timeout fires ctx.signal; only that process goes, replaced', async (t) => {
  const pm = manager(t)
  // Both processes up, with faults.js loaded, so the job below listens from its start.
  await Promise.all([run(pm, { worker: faults, data: { mode: 'hang', ms: 50 } }),
    run(pm, { worker: faults, data: { mode: 'hang', ms: 50 } })])
  const other = pm.start('other', { worker: faults, data: { mode: 'hang', ms: 800 }, ...pooled })
  const r = await run(pm, { worker: faults, data: { mode: 'hang' } }, { timeout: 300 })
  t.match(r, { timedOut: true, cancelled: false, exitCode: 1, error: { name: 'AbortError' } })
  t.ok(r.durationMs >= 290 && r.durationMs < 2000, `took ${r.durationMs} ms`)
  t.ok(await eventually(() => !alive(r.pid), 3000), 'the process that ran it has ended')
  const otherResult = await (await other).result
  t.match(otherResult, { exitCode: 0, data: 'woke up', timedOut: false })
  t.ok(alive(otherResult.pid), 'the other process lives on')
  t.equal((await run(pm, { worker: probe })).pid, otherResult.pid, 'and takes the next job')
})

t.test('a timeout kills a job that does not listen at once', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  await run(pm, { worker: faults, data: { mode: 'ok' } })
  const r = await run(pm, { worker: faults, data: { mode: 'hang-deaf' } }, { timeout: 300, killGrace: '30s' })
  t.match(r, { timedOut: true, exitCode: null, signal: 'SIGKILL', error: null })
  t.ok(r.durationMs < 2000, 'did not wait for the kill grace')
  t.match(await run(pm, { worker: faults, data: { mode: 'ok', value: 2 } }), { exitCode: 0, data: 2 })
})

t.test('cancel stops the job, and its process is replaced', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const dir = t.testdir()
  await run(pm, { worker: probe }) // the process is up
  const h = await pm.start('c', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'first') }, ...pooled })
  t.ok(await untilFile(path.join(dir, 'first')), 'the job listens')
  h.cancel('enough')
  const r = await h.result
  t.match(r, { cancelled: true, cancelReason: 'enough', exitCode: 1, error: { name: 'AbortError' } })
  t.ok(await eventually(() => !alive(h.pid), 3000), 'the process is gone')
  const next = await run(pm, { worker: probe })
  t.not(next.pid, h.pid)
  // close() while a stopped job's process may still be exiting: nothing is left behind.
  const again = await pm.start('c', { worker: faults, data: { mode: 'hang', ready: path.join(dir, 'again') }, ...pooled })
  t.ok(await untilFile(path.join(dir, 'again')), 'the second job listens')
  again.cancel()
  await again.result
  await pm.close()
  t.notOk(alive(again.pid))
})

t.test('cancelling a job that has ended changes nothing, and its process stays', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const h = await pm.start('done', { worker: probe, ...pooled })
  const r = await h.result
  h.cancel('too late')
  t.match(r, { cancelled: false, exitCode: 0 })
  t.match(await h.result, { cancelled: false }, 'the result stands')
  // Time for a stop that should not have gone out to reach the process, before the next job.
  await sleep(100)
  t.match((await run(pm, { worker: probe })).data, { pid: h.pid, jobs: 2 }, 'the next job runs in the same process')
})

t.test('a stop that crosses the answer of its job changes nothing but the flag', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const dir = t.testdir()
  const busy = path.join(dir, 'busy')
  // It listens (so a stop is an order, not a kill), then holds its event loop until it answers.
  writeFileSync(path.join(dir, 'listen-busy.mjs'), `import { writeFileSync } from 'node:fs'
export default (ready, ctx) => {
  ctx.signal
  writeFileSync(ready, '')
  const until = Date.now() + 600
  while (Date.now() < until);
  return 'done'
}`)
  await run(pm, { worker: path.join(dir, 'listen-busy.mjs'), data: path.join(dir, 'warm') }) // the process is up, the file loaded
  const h = await pm.start('busy', { worker: path.join(dir, 'listen-busy.mjs'), data: busy, ...pooled })
  t.ok(await untilFile(busy), 'the job holds its event loop')
  // The note that it listens went out before the file appeared: a moment for it to arrive.
  await sleep(100)
  // The stop reaches the process only once the job has answered: its event loop is held till then.
  h.cancel('crossed')
  t.match(await h.result, { cancelled: true, cancelReason: 'crossed', exitCode: 0, data: 'done', error: null })
  t.ok(await eventually(() => !alive(h.pid), 3000), 'a stopped job\'s process is replaced all the same')
})

t.test('a process a stopped job left busy is killed when it cannot exit', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const dir = t.testdir()
  const listens = path.join(dir, 'listens')
  writeFileSync(path.join(dir, 'busy.mjs'), `import { writeFileSync } from 'node:fs'
export default (listens, ctx) => new Promise((resolve) => {
  ctx.signal.addEventListener("abort", () => { resolve("stopped"); setTimeout(() => { for (;;); }, 0) })
  writeFileSync(listens, "")
})`)
  await run(pm, { worker: probe }) // the process is up
  const h = await pm.start('busy', { worker: path.join(dir, 'busy.mjs'), data: listens, ...pooled })
  t.ok(await untilFile(listens), 'the job listens')
  h.cancel()
  t.match(await h.result, { cancelled: true, exitCode: 0, data: 'stopped' })
  t.ok(await eventually(() => !alive(h.pid), 4000), 'killed after the retire grace')
})

t.test('a process that cannot start is reported once, without a respawn loop', async (t) => {
  const pm = manager(t)
  const first = await run(pm, { worker: faults, data: { mode: 'ok' }, execArgv: ['--no-such-node-flag'] })
  t.match(first, {
    exitCode: 9, error: {
      name: 'WorkerStartError', code: WorkerStartError.code,
      message: /a pool worker process \(execArgv \["--no-such-node-flag"\]\) exited with code 9 before it was ready/,
    },
  })
  const again = await run(pm, { worker: faults, data: { mode: 'ok' }, execArgv: ['--no-such-node-flag'] })
  t.match(again, { pid: null, exitCode: null, error: first.error }, 'later jobs fail at once with the same error, no new process')
  const cancelled = await pm.start('j', { worker: faults, data: { mode: 'ok' }, execArgv: ['--no-such-node-flag'], ...pooled })
  cancelled.cancel('nothing to stop')
  t.match(await cancelled.result, { pid: null, error: first.error })
  const nowhere = await pm.start('n', { worker: faults, data: { mode: 'ok' }, cwd: '/no/such/dir', ...pooled })
  nowhere.cancel('no process to stop')
  t.match(await nowhere.result, {
    pid: null, error: {
      name: 'WorkerStartError', code: WorkerStartError.code, message: /cwd "\/no\/such\/dir"\) could not be started: .*ENOENT/,
    },
  })
  t.match(await run(pm, { worker: faults, data: { mode: 'ok', value: 3 } }), { exitCode: 0, data: 3 }, 'other setups are not affected')
})

t.test('an uncloneable result fails that job and the process lives on', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const failed = await run(pm, { worker: faults, data: { mode: 'uncloneable' } })
  t.match(failed, { exitCode: 1, error: { name: 'DataCloneError', message: /cannot be sent to the parent/ } })
  t.equal((await run(pm, { worker: probe })).pid, failed.pid)
})

t.test('pool processes exit by themselves when their parent is SIGKILLed', async (t) => {
  // Without tap's coverage hook (NODE_OPTIONS), whose exit-time dump would make the timing tap's, not ours.
  const env = { ...process.env, NODE_OPTIONS: '' }
  const parent = spawn(process.execPath, [new URL('../../fixtures/pool-parent.mjs', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'], env,
  })
  const line = await new Promise<string>((resolve) => parent.stdout.once('data', (b: Buffer) => resolve(b.toString())))
  const pids = line.trim().split(' ').map(Number)
  t.equal(pids.length, 2)
  t.ok(pids.every(alive), 'an idle and a busy worker run')
  parent.kill('SIGKILL')
  // Exited is enough: their zombies are PID 1's to reap (and a loaded machine was seen past 2 s).
  t.ok(await eventually(() => !pids.some(running), 5000), 'both have exited within 5 s')
})
