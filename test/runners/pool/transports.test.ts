// lib/runners/pool/ over both of its transports, a reused process and a thread: the same JobResult
// from the same worker file, whichever runs it.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { WorkerPool } from '../../../dist/lib/runners/pool/pool.js'
import { processPoolSettings, threadPoolSettings } from '../../../dist/lib/runners/pool/settings.js'
import { startProcess } from '../../../dist/lib/runners/pool/transport.js'
import { startThread } from '../../../dist/lib/runners/thread/transport.js'
import { normalizeJob, type WorkerSpec } from '../../../dist/lib/runners/spec.js'
import { manager } from '../../helpers/manager.js'
import { worker } from '../../helpers/paths.js'
import { untilFile } from '../../helpers/wait.js'

const faults = worker('faults')
t.setTimeout(240_000)

for (const isolation of ['process-pool', 'thread'] as const) {
  const noun = isolation === 'thread' ? 'thread' : 'process'

  t.test(`${isolation}: uncloneable data fails only its job, in a batch with others`, async (t) => {
    const settings = { concurrentTasksPerWorker: 3 }
    const pool = isolation === 'thread'
      ? new WorkerPool(threadPoolSettings(settings), () => 3, startThread)
      : new WorkerPool(processPoolSettings(settings), () => 3, startProcess)
    t.teardown(() => pool.close())
    const spec = (data: unknown) => ({ ...(normalizeJob({ worker: worker('square'), data: 1, isolation }) as WorkerSpec), data })
    // The three go out as one batch (the worker is full): the batch cannot be cloned, each job can but one.
    // With jobIds (an agent's pool), and one a retry.
    const [a, bad, c] = [pool.start(spec(2), 'a', 2, 'id-a'), pool.start(spec({ fn: () => 1 }), 'bad', 1, 'id-bad'),
      pool.start(spec(4), 'c', 1, 'id-c')]
    t.match(await bad.outcome, {
      exitCode: 1, error: {
        name: 'DataCloneError',
        message: new RegExp(`^the data of job "bad" cannot be sent to the worker ${noun} \\d+ \\(structured clone failed: `),
      },
    })
    t.match(await a.outcome, { exitCode: 0, data: 4, error: null })
    t.match(await c.outcome, { exitCode: 0, data: 16, error: null })
    t.equal(a.pid, c.pid)
    t.equal(a.threadId, c.threadId)
    const d = pool.start(spec(5), 'd')
    t.match(await d.outcome, { exitCode: 0, data: 25 }, 'the worker takes more')
    // Alone, and stopped in the batch that brings it.
    const lone = pool.start(spec(Symbol('no')), 'lone')
    lone.stop('SIGTERM')
    t.match(await lone.outcome, { exitCode: 1, error: { name: 'DataCloneError' } })
    t.match(await pool.start(spec(6), 'e').outcome, { exitCode: 0, data: 36 }, 'and more')
  })

  t.test(`${isolation}: process.exit() in a job is a crash of its worker, with the code`, async (t) => {
    const pm = manager(t, { maxProcs: 1 })
    const r = await (await pm.start('exits', { worker: faults, data: { mode: 'exit', code: 5 }, isolation })).result
    t.match(r, {
      exitCode: 5, signal: null, ok: false, error: {
        name: 'WorkerExitError',
        message: new RegExp(`^the worker ${noun} \\d+ running job "exits" exited with code 5; the pool replaces it$`),
      },
    })
    const dir = t.testdir()
    writeFileSync(path.join(dir, 'exit-zero.mjs'), 'export default () => process.exit(0)')
    t.match(await (await pm.start('zero', { worker: path.join(dir, 'exit-zero.mjs'), isolation })).result, {
      exitCode: 0, ok: false, error: { name: 'WorkerExitError' },
    }, 'even with code 0: finish() ends a job well')
    t.match(await (await pm.start('after', { worker: faults, data: { mode: 'ok', value: 1 }, isolation })).result, { exitCode: 0, data: 1 })
  })

  t.test(`${isolation}: a busy job that does not listen stops within a second of its timeout`, async (t) => {
    const pm = manager(t, { maxProcs: 1, killGrace: '30s' })
    await (await pm.start('warm', { worker: faults, data: { mode: 'ok' }, isolation })).result
    const r = await (await pm.start('busy', { worker: faults, data: { mode: 'busy', ms: 60_000 }, isolation }, { timeout: 1000 })).result
    t.match(r, { timedOut: true, exitCode: null })
    t.ok(r.durationMs < 2000, `ended ${r.durationMs} ms after it began`)
    t.match(await (await pm.start('after', { worker: faults, data: { mode: 'ok', value: 1 }, isolation })).result, { exitCode: 0, data: 1 })
  })
}

for (const isolation of ['process-pool', 'thread'] as const) {
  t.test(`${isolation}: a stop order that finds its job begun and not listening ends the worker at once`, async (t) => {
    const pm = manager(t, { maxProcs: 1, killGrace: '30s' })
    const dir = t.testdir()
    const loading = path.join(dir, 'loading')
    // The file's last step holds the worker's event loop: a stop that comes then is sent as an
    // order (the file has not loaded), and the worker reads it only once the job has begun.
    writeFileSync(path.join(dir, 'late-deaf.mjs'), `import { writeFileSync } from 'node:fs'
writeFileSync(${JSON.stringify(loading)}, '')
const until = Date.now() + 1500
while (Date.now() < until);
export default () => new Promise(() => setInterval(() => {}, 1000))`)
    const h = await pm.start('late', { worker: path.join(dir, 'late-deaf.mjs'), isolation })
    t.ok(await untilFile(loading), 'the worker file is loading')
    const stopped = Date.now()
    h.cancel()
    const r = await h.result
    t.match(r, isolation === 'thread'
      ? { cancelled: true, exitCode: null, error: { message: 'the worker thread was terminated' } }
      : { cancelled: true, exitCode: null, signal: 'SIGKILL', error: null })
    t.ok(Date.now() - stopped < 10_000, 'without waiting for the 30 s kill grace')
  })
}
