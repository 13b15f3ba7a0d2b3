// start()'s retries: a failing job runs again (count more times at most, after its backoff), its
// result is the last run's with `attempts`; a cancel stops the retrying; bad retries are refused.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { manager } from '../helpers/manager.js'
import { eventually } from '../helpers/wait.js'
import { backoffMs, checkStartOptions, checkManagerOptions } from '../../dist/lib/manager/options.js'

/** A command that appends a line to `file` per run and succeeds from its `okFrom`th run on. */
function flaky(file: string, okFrom: number) {
  return { command: 'sh', args: ['-c', `echo x >> ${file}; test $(wc -l < ${file}) -ge ${okFrom}`] }
}
const runs = (file: string): number => readFileSync(file, 'utf8').split('\n').length - 1

/** A logger that records when a job's failed run is followed by its backoff ('job attempt failed, retrying'). */
function backoffSeen() {
  const seen = { retrying: false }
  const logger = {
    debug() {}, info() {}, warn: (_record: object, message: string) => { if (/retrying/.test(message)) seen.retrying = true }, error() {},
  }
  return { seen, logger }
}

t.test('a failing job runs again until it succeeds; attempts counts the runs', async (t) => {
  const pm = manager(t)
  const file = `${t.testdir()}/runs`
  const result = await (await pm.start('flaky', flaky(file, 3), { retries: { count: 5 } })).result
  t.equal(result.ok, true)
  t.equal(result.attempts, 3)
  t.equal(runs(file), 3)
})

t.test('count more runs at most: the result is the last failure', async (t) => {
  const pm = manager(t)
  const file = `${t.testdir()}/runs`
  const result = await (await pm.start('never', flaky(file, 99), { retries: 2 })).result
  t.equal(result.ok, false)
  t.equal(result.exitCode, 1)
  t.equal(result.attempts, 3)
  t.equal(runs(file), 3)
  const once = await (await pm.start('plain', { command: 'false' })).result
  t.equal(once.attempts, 1, 'without retries: one run')
  const zero = await (await pm.start('zero', { command: 'false' }, { retries: 0 })).result
  t.equal(zero.attempts, 1)
})

t.test('a timed-out run is retried; a job that never started has 0 attempts', async (t) => {
  const pm = manager(t)
  const file = `${t.testdir()}/runs`
  const spec = { command: 'sh', args: ['-c', `echo x >> ${file}; [ $(wc -l < ${file}) -ge 2 ] || sleep 5`] }
  const result = await (await pm.start('slow', spec, { timeout: 300, retries: 1 })).result
  t.equal(result.ok, true)
  t.equal(result.attempts, 2)
  const controller = new AbortController()
  controller.abort('no')
  const never = await (await pm.start('never', { command: 'true' }, { signal: controller.signal })).result
  t.equal(never.attempts, 0)
})

t.test('the backoff is waited between runs; a cancel during it ends the job with its last result, cancelled', async (t) => {
  const { seen, logger } = backoffSeen()
  const pm = manager(t, { logger })
  const file = `${t.testdir()}/runs`
  const handle = await pm.start('waits', flaky(file, 99), { retries: { count: 3, backoff: '30s' } })
  t.ok(await eventually(() => seen.retrying, 10_000), 'the first run failed: the backoff began')
  handle.cancel('enough')
  const result = await handle.result
  t.equal(runs(file), 1, 'the second run never came')
  t.equal(result.cancelled, true)
  t.equal(result.cancelReason, 'enough')
  t.equal(result.exitCode, 1)
  t.equal(result.attempts, 1)
  t.equal(result.ok, false)
})

t.test('shutdown during a backoff ends the job; no retry starts after it', async (t) => {
  const { seen, logger } = backoffSeen()
  const pm = manager(t, { logger })
  const file = `${t.testdir()}/runs`
  const handle = await pm.start('waits', flaky(file, 99), { retries: { count: 3, backoff: { type: 'fixed', delay: '30s' } } })
  t.ok(await eventually(() => seen.retrying, 10_000), 'the first run failed: the backoff began')
  void pm.shutdown()
  const result = await handle.result
  t.equal(result.cancelled, true)
  t.equal(runs(file), 1)
})

t.test('backoffMs: fixed, exponential, capped, jittered between half and all', async (t) => {
  const { retry: fixed } = checkStartOptions({
    retries: { count: 3, backoff: { type: 'fixed', delay: 100 } },
  }, checkManagerOptions().startDefaults)
  t.same([1, 2, 3].map((n) => backoffMs(fixed!, n)), [100, 100, 100])
  const { retry: exp } = checkStartOptions({
    retries: { count: 5, backoff: { delay: '100ms', max: '350ms' } },
  }, checkManagerOptions().startDefaults)
  t.same([1, 2, 3, 4].map((n) => backoffMs(exp!, n)), [100, 200, 350, 350])
  const { retry: jittered } = checkStartOptions({
    retries: { count: 2, backoff: { delay: 100, jitter: true } },
  }, checkManagerOptions().startDefaults)
  t.equal(backoffMs(jittered!, 1, () => 0), 50)
  t.equal(backoffMs(jittered!, 1, () => 1), 100)
  const { retry: plain } = checkStartOptions({ retries: { count: 2, backoff: '1s' } }, checkManagerOptions().startDefaults)
  t.equal(backoffMs(plain!, 2), 1000)
  t.equal(checkStartOptions({ retries: 0 }, checkManagerOptions().startDefaults).retry, undefined)
})

t.test('bad retries are refused at the call, naming the value', async (t) => {
  const pm = manager(t)
  const cases: Array<[unknown, RegExp]> = [
    [-1, /start\(\) retries.count must be a whole number >= 0, got -1/],
    [1.5, /retries.count must be a whole number/],
    ['3', /start\(\) retries options must be/],
    [{}, /retries.count must be a whole number >= 0, got undefined/],
    [{ count: 1, tries: 2 }, /"tries" is not a start\(\) retries option; it takes count, backoff/],
    [{ count: 1, backoff: 'soon' }, /retries.backoff "soon" is not a duration/],
    [{ count: 1, backoff: { delay: 10, type: 'linear' } }, /retries.backoff.type must be one of 'fixed', 'exponential', got "linear"/],
    [{ count: 1, backoff: { delay: 10, jitter: 'yes' } }, /retries.backoff.jitter must be/],
    [{ count: 1, backoff: { delay: 10, max: 'x' } }, /retries.backoff.max/],
  ]
  for (const [retries, message] of cases) {
    await t.rejects(pm.start('bad', { command: 'true' }, { retries } as never), message, JSON.stringify(retries))
  }
})

t.test('ctx.attempt counts the tries from 1 in every isolation; ctx.jobId is null for a local job', async (t) => {
  const attemptWorker = new URL('../fixtures/workers/attempt.mjs', import.meta.url)
  for (const isolation of ['process', 'process-pool', 'thread'] as const) {
    const pm = manager(t)
    const result = await (await pm.start(isolation, { worker: attemptWorker, data: { okFrom: 3 }, isolation }, { retries: 3 })).result
    t.match(result, { ok: true, attempts: 3, data: { attempt: 3, jobId: null } }, isolation)
  }
  const inline = manager(t, { maxProcs: 0 })
  const result = await (await inline.start('inline', { worker: attemptWorker, data: { okFrom: 2 } }, { retries: 1 })).result
  t.match(result, { ok: true, attempts: 2, data: { attempt: 2, jobId: null } }, 'inline')
})
