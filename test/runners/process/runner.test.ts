import t from 'tap'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { manager } from '../../helpers/manager.js'
import type { JobResult } from '../../../dist/lib/index.js'
import { alive, processesMatching, worker } from '../../helpers/paths.js'
import { eventually } from '../../helpers/wait.js'

/**
 * The JobResult of one job run by a manager in a process of its own, without tap's hook in
 * NODE_OPTIONS (see test/fixtures/stop-run.mjs): its workers then have no SIGTERM handler but forkpool's.
 */
async function runOutsideTap(spawner: boolean, data: object, options: object): Promise<JobResult> {
  const { execFile } = await import('node:child_process')
  const script = new URL('../../fixtures/stop-run.mjs', import.meta.url).pathname
  // Through env(1): tap's spawn hook writes its loader into the NODE_OPTIONS of every process this one spawns, whatever env it is given.
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile('env', ['-u', 'NODE_OPTIONS', process.execPath, script, String(spawner), JSON.stringify(data), JSON.stringify(options)],
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an Error at run time; @types/node's type omits Error's
      (error, out) => (error ? reject(error) : resolve(out))))
  return JSON.parse(stdout) as JobResult
}

// Every test runs on both ways a fresh worker starts: from the native forker (the default, where
// it was built) and forked from this process (spawner: false).
for (const spawner of [true, false]) {
  t.test(`spawner: ${spawner}`, async (t) => {
    const pm = manager(t, { maxProcs: 4, spawner })
    const run = async (data: unknown, options = {}, job = {}) =>
      (await pm.start('p', { worker: worker('faults'), data, ...job }, options)).result

    t.test('a plain return is data with exit code 0; finish() chooses both', async (t) => {
      t.match(await run({ mode: 'ok', value: { n: 1, when: new Date(0), big: 10n, m: new Map([[1, 2]]) } }),
        { exitCode: 0, signal: null, error: null, data: { n: 1, when: new Date(0), big: 10n, m: new Map([[1, 2]]) }, kind: 'process' })
      t.match(await run({ mode: 'finish', code: 3, value: 'three' }), { exitCode: 3, data: 'three', error: null })
    })

    t.test('a throw gives exit code 1 and the error', async (t) => {
      const r = await run({ mode: 'throw' })
      t.equal(r.exitCode, 1)
      t.match(r.error, { name: 'RangeError', message: 'asked to throw in p' })
      t.match(r.error?.stack, /faults/)
      t.match((await run({ mode: 'throw-string' })).error, { name: 'Error', message: 'non-error thrown: a bare string' })
    })

    t.test('process.exit() mid-job and death by signal', async (t) => {
      t.match(await run({ mode: 'exit', code: 9 }), { exitCode: 9, signal: null, data: undefined, error: null })
      t.match(await run({ mode: 'kill', signal: 'SIGSEGV' }), { exitCode: null, signal: 'SIGSEGV', coreDump: true })
      t.match(await run({ mode: 'kill', signal: 'SIGKILL' }), { exitCode: null, signal: 'SIGKILL', coreDump: false })
    })

    t.test('a result that cannot be cloned fails that job, not the manager', async (t) => {
      const r = await run({ mode: 'uncloneable' })
      t.equal(r.exitCode, 1)
      t.match(r.error, { name: 'DataCloneError', message: /cannot be sent to the parent/ })
    })

    t.test('missing, broken and wrong-shaped worker files are results', async (t) => {
      const dir = t.testdir()
      writeFileSync(path.join(dir, 'syntax.mjs'), 'export default (')
      writeFileSync(path.join(dir, 'nodefault.mjs'), 'export const x = 1')
      writeFileSync(path.join(dir, 'notfn.mjs'), 'export default 42')
      const missing = await (await pm.start('m', { worker: path.join(dir, 'missing.mjs') })).result
      t.match(missing, { exitCode: 1, error: { code: 'ERR_FORKPOOL_WORKER_LOAD' } })
      t.match((await (await pm.start('s', { worker: pathToFileURL(path.join(dir, 'syntax.mjs')) })).result).error, {
        name: 'WorkerLoadError', message: /SyntaxError/,
      })
      t.match((await (await pm.start('n', { worker: path.join(dir, 'nodefault.mjs') })).result).error,
        { name: 'WorkerLoadError', message: /must default-export a function \(data, ctx\) => result, but its default export is undefined/ })
      t.match((await (await pm.start('f', { worker: path.join(dir, 'notfn.mjs') })).result).error, { message: /default export is 42/ })
    })

    t.test('a worker that cannot be spawned is a result', async (t) => {
      const h = await pm.start('nowhere', { worker: worker('faults'), data: { mode: 'ok' }, cwd: '/no/such/dir' })
      h.cancel('no process to stop')
      const r = await h.result
      h.cancel('after the end')
      t.match(r, { exitCode: null, pid: null, error: { code: 'ENOENT', message: /cannot start a worker process/ } })
    })

    t.test('env reaches the child, merged over this process', async (t) => {
      const dir = t.testdir()
      writeFileSync(path.join(dir, 'env.mjs'), 'export default () => [process.env.FP_X, Boolean(process.env.PATH), process.cwd()]')
      const r = await (await pm.start('e', { worker: path.join(dir, 'env.mjs'), env: { FP_X: 'x' }, cwd: dir })).result
      t.same(r.data, ['x', true, dir])
    })

    t.test('a timeout fires ctx.signal; a worker that listens ends cleanly', async (t) => {
      const ready = path.join(t.testdir(), 'listening')
      // Long enough for the child to be up and listening (under tap's hook and a loaded machine a
      // child can take 3 s and more to start): a worker that has not read ctx.signal yet dies by the TERM itself.
      const r = await run({ mode: 'hang', ready }, { timeout: '6s' })
      t.ok(existsSync(ready), 'the worker listened before its timeout')
      t.match(r, { timedOut: true, cancelled: false, exitCode: 1, error: { name: 'AbortError' } })
      t.ok(r.durationMs >= 5990 && r.durationMs < 7500, `took ${r.durationMs} ms`)
    })

    t.test('a timeout kills a worker that does not listen at once', async (t) => {
      const r = await run({ mode: 'hang-deaf' }, { timeout: 200, killGrace: '30s' })
      t.match(r, { timedOut: true, exitCode: null, signal: 'SIGTERM' })
      t.ok(r.durationMs < 2000, 'did not wait for the kill grace')
    })

    t.test('a busy worker that does not listen dies by the timeout\'s SIGTERM, not after killGrace', async (t) => {
      const ready = path.join(t.testdir(), 'busy')
      // It holds the event loop for 30 s: a JavaScript SIGTERM handler could not run before the SIGKILL.
      const r = await runOutsideTap(spawner, { mode: 'busy', ms: 30_000, ready }, { timeout: '3s', killGrace: '20s' })
      t.ok(existsSync(ready), 'the stop came while the worker held its event loop')
      t.match(r, { timedOut: true, exitCode: null, signal: 'SIGTERM' })
      t.ok(r.durationMs < 10_000, `settled ${r.durationMs} ms after its start: at the 3 s timeout, not after the 20 s killGrace`)
    })

    t.test('a busy worker that listens has killGrace: it hears the stop once its loop is free', async (t) => {
      const ready = path.join(t.testdir(), 'busy')
      const h = await pm.start('p', {
        worker: worker('faults'), data: { mode: 'busy', listen: true, ms: 2000, ready },
      }, { killGrace: '20s' })
      t.ok(await eventually(() => existsSync(ready), 15_000), 'the worker listens and holds its event loop')
      h.cancel('stop')
      t.match(await h.result, { cancelled: true, exitCode: 0, signal: null, data: 'done' })
    })

    t.test('stopping a worker takes the processes it started', async (t) => {
      const marker = '95.17'
      const h = await pm.start('sleeper', { worker: worker('faults'), data: { mode: 'spawn-sleeper', value: marker } })
      t.ok(await eventually(async () => (await processesMatching(`sleep ${marker}`)).length === 1, 15_000), 'the grandchild runs')
      h.cancel('done waiting')
      t.match(await h.result, { cancelled: true })
      t.ok(await eventually(async () => (await processesMatching(`sleep ${marker}`)).length === 0, 5000), 'the grandchild is gone')
    })

    t.test('a worker process exits by itself when its parent is SIGKILLed', async (t) => {
      const { spawn } = await import('node:child_process')
      // Without tap's coverage hook (NODE_OPTIONS), whose exit-time dump would make the timing tap's, not ours.
      const env = { ...process.env, NODE_OPTIONS: '' }
      const parent = spawn(process.execPath, [new URL('../../fixtures/parent.mjs', import.meta.url).pathname, String(spawner)], {
        stdio: ['ignore', 'pipe', 'inherit'], env,
      })
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (b: Buffer) => resolve(b.toString()))))
      t.ok(pid > 1)
      t.ok(alive(pid), 'the worker runs')
      parent.kill('SIGKILL')
      // About 100 ms on a quiet machine; the bound leaves room for a loaded one.
      t.ok(await eventually(() => !alive(pid), 5000), 'the worker is gone within 5 s')
    })

    t.test('handle.cancel() stops a running worker', async (t) => {
      const h = await pm.start('c', { worker: worker('faults'), data: { mode: 'hang-deaf' } })
      h.cancel('test')
      h.cancel('again')
      t.match(await h.result, { cancelled: true, cancelReason: 'test', timedOut: false, signal: 'SIGTERM' })
    })
  })
}

t.test('the worker runtime exits when its IPC channel closes', async (t) => {
  const { fork } = await import('node:child_process')
  const runtime = new URL('../../../dist/lib/runners/process/runtime.js', import.meta.url)
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'ready.mjs'),
    `export default () => { process.stdout.write('ready\\n'); return new Promise(() => setInterval(() => {}, 1000)) }`)
  const child = fork(runtime, [pathToFileURL(path.join(dir, 'ready.mjs')).href, 'x'], {
    execArgv: [], serialization: 'advanced', stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  child.send({ data: null })
  await new Promise((resolve) => child.stdout!.once('data', resolve))
  child.disconnect()
  const [code] = await new Promise<[number | null]>((resolve) => child.once('exit', (c) => resolve([c])))
  t.equal(code, 1)
})
