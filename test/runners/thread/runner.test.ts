// isolation 'thread': worker files on the pool's threads (lib/runners/pool/ over
// lib/runners/thread/transport.ts), through the manager.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { closeSync, constants, existsSync, openSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { AbortError, WorkerExitError, WorkerStartError } from '../../../dist/lib/index.js'
import { manager } from '../../helpers/manager.js'
import { worker } from '../../helpers/paths.js'
import { eventually, sleep, untilFile } from '../../helpers/wait.js'

// Generous: these tests start many threads, and the machine may be loaded.
t.setTimeout(240_000)
const pm = manager(t, { killGrace: 500 })
const run = async (data: unknown, options = {}) =>
  (await pm.start('t', { worker: worker('faults'), data, isolation: 'thread' }, options)).result

t.test('returns, finish(), throws', async (t) => {
  t.match(await run({ mode: 'ok', value: { a: [1] } }), { kind: 'thread', exitCode: 0, data: { a: [1] }, pid: null, threadId: Number })
  t.match(await run({ mode: 'finish', code: 4, value: 'x' }), { exitCode: 4, data: 'x' })
  t.match(await run({ mode: 'throw' }), { exitCode: 1, error: { name: 'RangeError' } })
})

t.test('process.exit() inside a thread ends its thread as a crash, as in a pool process, and the pool carries on', async (t) => {
  const r = await run({ mode: 'exit', code: 6 })
  t.match(r, {
    exitCode: 6, signal: null, error: {
      name: 'WorkerExitError', code: WorkerExitError.code,
      message: /^the worker thread \d+ running job "t" exited with code 6; the pool replaces it$/,
    },
  })
  t.match(await run({ mode: 'ok', value: 1 }), { exitCode: 0 }, 'the pool carries on')
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'exit-code.mjs'), 'export default () => { process.exitCode = 4; process.exit() }')
  t.match(await (await pm.start('e', { worker: path.join(dir, 'exit-code.mjs'), isolation: 'thread' })).result, {
    exitCode: 4, error: { name: 'WorkerExitError' },
  }, 'without a code: process.exitCode')
})

t.test('an uncloneable result fails the job and the thread lives on', async (t) => {
  const failed = await run({ mode: 'uncloneable' })
  t.match(failed, { exitCode: 1, error: { name: 'DataCloneError', message: /cannot be sent to the parent/ } })
  const next = await run({ mode: 'ok', value: 2 })
  t.equal(next.data, 2)
  t.equal(next.threadId, failed.threadId, 'the same thread')
})

t.test('a timeout fires ctx.signal in the thread', async (t) => {
  // The timeout must come once the worker runs, not while a thread is still starting: a job first.
  await run({ mode: 'ok', value: 1 })
  t.match(await run({ mode: 'hang' }, { timeout: 1000 }), { timedOut: true, exitCode: 1, error: { name: 'AbortError' } })
})

t.test('a busy thread job that does not listen stops within a second of its timeout, not after killGrace', async (t) => {
  const local = manager(t, { maxProcs: 1, killGrace: '30s' })
  // Warm: the thread up and faults.js loaded, so that the timeout falls on a running job.
  await (await local.start('warm', { worker: worker('faults'), data: { mode: 'ok' }, isolation: 'thread' })).result
  const h = await local.start('busy', {
    worker: worker('faults'), data: { mode: 'busy', ms: 60_000 }, isolation: 'thread',
  }, { timeout: 1000 })
  const r = await h.result
  t.match(r, {
    timedOut: true, exitCode: null, signal: null, error: {
      name: 'AbortError', code: AbortError.code, message: 'the worker thread was terminated',
    },
  })
  t.ok(r.durationMs < 2000, `ended ${r.durationMs} ms after it began`)
  t.match(await (await local.start('after', { worker: worker('square'), data: 3, isolation: 'thread' })).result, { exitCode: 0, data: 9 },
    'a new thread takes the next job')
})

t.test('a running thread job that does not listen is terminated at once on a cancel', async (t) => {
  const dir = t.testdir()
  const begun = path.join(dir, 'begun')
  writeFileSync(path.join(dir, 'deaf.mjs'), `import { writeFileSync } from 'node:fs'
export default () => { writeFileSync(${JSON.stringify(begun)}, ''); return new Promise(() => setInterval(() => {}, 1000)) }`)
  const h = await pm.start('deaf', { worker: path.join(dir, 'deaf.mjs'), isolation: 'thread' }, { killGrace: '30s' })
  t.ok(await untilFile(begun))
  const stopped = Date.now()
  h.cancel('deaf')
  const r = await h.result
  t.match(r, {
    cancelled: true, exitCode: null, error: { name: 'AbortError', code: AbortError.code, message: 'the worker thread was terminated' },
  })
  t.ok(Date.now() - stopped < 10_000, 'without waiting for the 30 s kill grace')
})

t.test('a thread job that listens but does not stop is terminated after the grace period', async (t) => {
  const dir = t.testdir()
  const begun = path.join(dir, 'begun')
  writeFileSync(path.join(dir, 'stubborn.mjs'), `import { writeFileSync } from 'node:fs'
export default (data, ctx) => { ctx.signal; writeFileSync(${JSON.stringify(begun)}, ''); return new Promise(() => {}) }`)
  const h = await pm.start('s', { worker: path.join(dir, 'stubborn.mjs'), isolation: 'thread' }, { killGrace: 200 })
  t.ok(await untilFile(begun))
  // The note that it listens is on its way when the file appears: a moment for it to arrive.
  await sleep(100)
  h.cancel()
  const r = await h.result
  t.match(r, { cancelled: true, cancelReason: 'cancelled', error: { message: 'the worker thread was terminated' } })
  t.ok(r.durationMs >= 190)
})

t.test('close() waits for a thread that a stop terminated, even one a system call holds', async (t) => {
  const dir = t.testdir()
  const fifo = path.join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  writeFileSync(path.join(dir, 'read-fifo.mjs'),
    "import { readFileSync } from 'node:fs'\nexport default (fifo) => readFileSync(fifo, 'utf8')")
  const own = manager(t, { maxProcs: 1 })
  const h = await own.start('reader', { worker: path.join(dir, 'read-fifo.mjs'), data: fifo, isolation: 'thread' }, { killGrace: 50 })
  // A non-blocking open for writing succeeds once the thread has the FIFO open for reading. The
  // thread then waits in read(), which terminate() cannot interrupt, until this end is closed.
  let writer = -1
  t.ok(await eventually(() => {
    try {
      writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      return true
    } catch {
      return false
    }
  }, 15_000, 10))
  h.cancel()
  t.match(await h.result, { cancelled: true, error: { message: 'the worker thread was terminated' } })
  let closed = false
  const closing = own.close().then(() => {
    closed = true
  })
  await sleep(300)
  t.equal(closed, false, 'close() waits while the terminated thread is still running')
  closeSync(writer)
  await closing
  t.pass('and resolves once the thread has exited')
})

t.test('an uncaught exception crashes the thread: its job gets that error, and the pool carries on', async (t) => {
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'crash.mjs'),
    'export default () => new Promise(() => setTimeout(() => { throw new TypeError("async boom") }, 10))')
  const r = await (await pm.start('c', { worker: path.join(dir, 'crash.mjs'), isolation: 'thread' })).result
  t.match(r, { exitCode: 1, error: { name: 'TypeError', message: 'async boom' } })
  t.match(await run({ mode: 'ok', value: 3 }), { exitCode: 0, data: 3 })
})

t.test('the pool grows with the cap', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const first = await pm.start('a', { worker: worker('sleep'), data: 2000, isolation: 'thread' })
  pm.setMaxProcs(3)
  const more = await Promise.all([1, 2].map((i) => pm.start(`b${i}`, { worker: worker('sleep'), data: 1500, isolation: 'thread' })))
  const spans = await Promise.all([first, ...more].map(async (h) => (await h.result).data as { started: number; ended: number }))
  const latestStart = Math.max(...spans.map((s) => s.started))
  const earliestEnd = Math.min(...spans.map((s) => s.ended))
  t.ok(latestStart < earliestEnd, 'all three ran at once')
  await pm.close()
})

t.test('a thread past its resourceLimits fails that job, and the next one runs', async (t) => {
  const limited = { worker: worker('faults'), isolation: 'thread' as const, resourceLimits: { maxOldGenerationSizeMb: 16 } }
  const r = await (await pm.start('hog', { ...limited, data: { mode: 'alloc' } })).result
  t.match(r, { exitCode: 1, error: { code: 'ERR_WORKER_OUT_OF_MEMORY' } })
  t.match(await (await pm.start('after', { ...limited, data: { mode: 'ok', value: 1 } })).result, { exitCode: 0, data: 1 })
})

t.test('threads that cannot start fail their jobs with the cause, and the manager lives on', async (t) => {
  const local = manager(t)
  const broken = { worker: worker('square'), data: 3, isolation: 'thread' as const, execArgv: ['--import=/no/such/preload.mjs'] }
  const [a, b] = await Promise.all([local.start('a', broken), local.start('b', broken)])
  for (const r of [await a.result, await b.result]) {
    t.match(r, {
      exitCode: 1, error: { name: 'WorkerStartError', code: WorkerStartError.code, message: /could not be started: .*no\/such\/preload/ },
    })
  }
  t.match(await (await local.start('again', broken)).result, { error: { name: 'WorkerStartError' } },
    'later jobs of that setup fail at once, with the same cause')
  t.match(await (await local.start('good', { worker: worker('square'), data: 4, isolation: 'thread' })).result, { exitCode: 0, data: 16 })
  await local.close()
})

t.test('timers a finished job left behind run between jobs, and do not fail the next job', async (t) => {
  // The thread's event loop runs between jobs, as a pool process's does.
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'late.mjs'),
    'export default (n) => { setTimeout(() => { globalThis.lateRan = (globalThis.lateRan ?? 0) + 1 }, 30); return n }')
  writeFileSync(path.join(dir, 'read-late.mjs'), 'export default () => globalThis.lateRan ?? 0')
  const thrown = path.join(dir, 'thrown')
  writeFileSync(path.join(dir, 'late-throw.mjs'), `import { writeFileSync } from 'node:fs'
export default (n) => {
  setTimeout(() => { writeFileSync(${JSON.stringify(thrown)}, ''); throw new Error("thrown after the job") }, 30)
  return n
}`)
  const local = manager(t, { maxProcs: 1 })
  const start = async (file: string,
    data?: unknown) => (await local.start(file, { worker: path.join(dir, file), data, isolation: 'thread' })).result
  const first = await start('late.mjs', 1)
  t.match(first, { exitCode: 0, data: 1 })
  await sleep(100)
  const read = await start('read-late.mjs')
  t.match(read, { exitCode: 0, data: 1 }, 'the timer ran while the thread was idle')
  t.equal(read.threadId, first.threadId, 'on the same thread')
  t.match(await start('late-throw.mjs', 2), { exitCode: 0, data: 2 })
  // Its timer throws while the thread is idle: the thread crashes with no job on it (a moment for
  // the manager to hear of it: a job handed to a thread as it crashes would go down with it).
  t.ok(await untilFile(thrown))
  await sleep(300)
  t.match(await (await local.start('next', { worker: worker('sleep'), data: 200, isolation: 'thread' })).result,
    { exitCode: 0, error: null }, 'the next job runs and ends well')
  await local.close()
})

t.test('a stop while the worker file is still loading: the worker is never called, the thread is not terminated', async (t) => {
  const dir = t.testdir()
  const loading = path.join(dir, 'loading')
  writeFileSync(path.join(dir, 'slow-load.mjs'), `import { writeFileSync } from 'node:fs'
writeFileSync(${JSON.stringify(loading)}, '')
await new Promise((resolve) => setTimeout(resolve, 400))
export default () => { throw new Error("must not be called") }`)
  const local = manager(t, { maxProcs: 1, killGrace: '10s' })
  const h = await local.start('slow', { worker: path.join(dir, 'slow-load.mjs'), isolation: 'thread' })
  t.ok(await untilFile(loading), 'the worker file is loading')
  h.cancel('early')
  const r = await h.result
  t.match(r, { cancelled: true, exitCode: 1, error: { name: 'AbortError', message: 'job "slow" was stopped before it began' } })
  t.ok(r.durationMs >= 200, 'it waited for the file to load: no thread was terminated while it imported')
  // A worker whose job was stopped is retired, as a pool process is (the job may have left work behind).
  t.match(await (await local.start('next', { worker: worker('square'), data: 2, isolation: 'thread' })).result, { exitCode: 0, data: 4 })
  await local.close()
})

t.test('a SIGKILL while the thread is still loading a worker file: the job ends at once, ' +
  'the thread once the file has loaded', async (t) => {
  const dir = t.testdir()
  const loading = path.join(dir, 'loading')
  const loaded = path.join(dir, 'loaded')
  // Longer than the pool's 2 s grace: the thread is not terminated while it imports, which would
  // leave the fds of the files it was reading open in this process (bench/repro/thread-fd-leak.mjs).
  writeFileSync(path.join(dir, 'slow-load.mjs'), `import { writeFileSync } from 'node:fs'
writeFileSync(${JSON.stringify(loading)}, '')
await new Promise((resolve) => setTimeout(resolve, 2_500))
writeFileSync(${JSON.stringify(loaded)}, '')
export default () => new Promise(() => {})`)
  const local = manager(t, { maxProcs: 1 })
  const h = await local.start('slow', { worker: path.join(dir, 'slow-load.mjs'), isolation: 'thread' })
  t.ok(await untilFile(loading), 'the worker file is loading')
  const shutdown = local.shutdown({ signal: 'SIGKILL' })
  const r = await h.result
  t.match(r, { cancelled: true, error: { message: 'the worker thread was terminated' } })
  t.notOk(existsSync(loaded), 'the job ended before its file had loaded')
  await shutdown
  t.ok(existsSync(loaded), 'shutdown() waited for the thread, which ran until the file had loaded')
})

t.test('once such a thread has loaded and gone, nothing keeps the process alive: it exits well before the 30 s bound', async (t) => {
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'slow-load.mjs'), `await new Promise((r) => setTimeout(r, 1_000))
export default () => new Promise(() => {})`)
  const library = new URL('../../../dist/lib/index.js', import.meta.url).href
  const program = `const { ForkManager } = await import(${JSON.stringify(library)})
const pm = new ForkManager({ maxProcs: 1 })
const h = await pm.start('slow', { worker: ${JSON.stringify(path.join(dir, 'slow-load.mjs'))}, isolation: 'thread' })
await pm.shutdown({ signal: 'SIGKILL' })
console.log((await h.result).cancelled)`
  const started = Date.now()
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 25_000 })
  t.equal(out.trim(), 'true', 'the job was stopped')
  t.ok(Date.now() - started < 20_000, `the process exited once the thread had gone (${Date.now() - started} ms)`)
})
