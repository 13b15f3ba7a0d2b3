// The one Job object (lib/manager/job.ts): its cancel, its timeout, its end, and its handle.
import t from 'tap'
import { Job, JobView } from '../../dist/lib/manager/job.js'
import { Deadlines } from '../../dist/lib/util/deadlines.js'
import { spawn } from 'node:child_process'
import { eventually, sleep } from '../helpers/wait.js'

const LATE_TURN = new URL('../fixtures/late-turn-parent.mjs', import.meta.url).pathname

const spec = { type: 'command', command: 'true', args: [], capture: false, maxBuffer: 1, shell: false } as const
const settings = { name: undefined, label: undefined, timeoutMs: 1000, killGraceMs: 1000, signal: undefined }

/** An execution that records the signals it is sent; `end` settles its outcome. */
function execution() {
  const signals: string[] = []
  let end!: (exitCode: number | null, signal: NodeJS.Signals | null) => void
  const outcome = new Promise<{
    exitCode: number | null; signal: NodeJS.Signals | null; error: null,
  }>((resolve) => (end = (exitCode, signal) => resolve({ exitCode, signal, error: null })))
  return { signals, end, execution: { kind: 'command' as const, pid: 4242, outcome, stop: (signal: string) => signals.push(signal) } }
}

t.test('a cancel that came while the job was being launched stops it as it runs, with the first reason', async (t) => {
  const job = new Job('x', spec, 'command', settings)
  job.cancel('first')
  job.cancel('second')
  t.equal(job.token.aborted, true, 'its wait for a slot gives up')
  const run = execution()
  job.launched(run.execution, new Deadlines(), Date.now())
  t.same(run.signals, ['SIGTERM'])
  t.equal(job.stopping, true)
  run.end(null, 'SIGTERM')
  const result = job.settled(await run.execution.outcome)
  t.match(result, { ok: false, cancelled: true, cancelReason: 'first', timedOut: false, signal: 'SIGTERM', pid: 4242 })
})

t.test('a running job is stopped by cancel, once; an ended one no longer', async (t) => {
  const job = new Job('y', spec, 'command', { ...settings, killGraceMs: 20 })
  const run = execution()
  job.launched(run.execution, new Deadlines(), Date.now())
  t.same(run.signals, [], 'not cancelled: not stopped')
  job.cancel('now', 'SIGINT')
  job.cancel('again')
  t.same(run.signals, ['SIGINT'], 'the signal asked for; a second cancel changes nothing')
  t.ok(await eventually(() => run.signals.length === 2, 1000, 5), 'a second signal once the 20 ms kill grace has passed')
  t.same(run.signals, ['SIGINT', 'SIGKILL'], 'SIGKILL after the grace period')
  job.end()
  job.cancel('after the end')
  t.equal(run.signals.length, 2, 'an ended job is no longer stopped')
})

t.test('a timeout stops the job, and its result says so', async (t) => {
  const job = new Job('z', spec, 'command', { ...settings, timeoutMs: 10 })
  const run = execution()
  job.launched(run.execution, new Deadlines(), Date.now())
  t.ok(await eventually(() => run.signals.length === 1, 1000, 5), 'a signal once the 10 ms timeout has passed')
  t.same(run.signals, ['SIGTERM'])
  run.end(null, 'SIGTERM')
  t.match(job.settled(await run.execution.outcome), { ok: false, timedOut: true, cancelled: false })
})

/** Blocks this thread's event loop for `ms`: what a busy manager, or one the machine does not schedule, does to it. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

t.test('a job whose end comes in the late turn its deadline passed in ended in time: not timed out, not stopped', async (t) => {
  const job = new Job('late', spec, 'command', { ...settings, timeoutMs: 10 })
  const run = execution()
  job.launched(run.execution, new Deadlines(), Date.now())
  let result: ReturnType<Job['settled']> | undefined
  // Due just after the deadline, so it runs in the same turn, after the deadline's timer: as the
  // I/O with the job's exit would, which Node runs after the turn's timers.
  setTimeout(() => (result = job.settled({ exitCode: 0, signal: null, error: null })), 11)
  blockEventLoop(60)
  await sleep(20) // the deadline's timer and its stop have had their turn: nothing may have been sent
  t.same(run.signals, [], 'no SIGTERM for a job that had ended')
  t.match(result, { ok: true, timedOut: false, exitCode: 0 })
})

t.test('a deadline of a try that ended in that late turn does not stop the next try', async (t) => {
  const job = new Job('retried', spec, 'command', { ...settings, timeoutMs: 10 })
  const first = execution()
  const second = execution()
  job.launched(first.execution, new Deadlines(), Date.now())
  setTimeout(() => {
    job.settled({ exitCode: 1, signal: null, error: null })
    job.retrying()
    job.launched(second.execution, new Deadlines(), Date.now())
  }, 11)
  blockEventLoop(60)
  await new Promise((resolve) => setImmediate(resolve))
  t.same([first.signals, second.signals], [[], []], 'the first try ended in time; the second has its own deadline')
  // Its stop follows its deadline's timer in a setImmediate.
  t.ok(await eventually(() => second.signals.length === 1, 1000, 5), "the second try's own deadline came due")
  t.same(second.signals, ['SIGTERM'], "and the second's own deadline stops it")
})

t.test('a command that exited before its deadline, while the event loop was blocked past it, is not timed out', async (t) => {
  // In a process of its own, without tap's NODE_OPTIONS hook (under it, the same program's exit
  // came in before the deadline's timer, and the test could not fail).
  const { NODE_OPTIONS: _tapHook, ...env } = process.env
  const child = spawn(process.execPath, [LATE_TURN], { stdio: ['ignore', 'pipe', 'inherit'], env })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  await new Promise((resolve) => child.on('close', resolve))
  t.same(JSON.parse(out), { ok: true, timedOut: false, exitCode: 0, signal: null })
})

t.test('the AbortSignal of its start cancels it, also one aborted already; end() lets it go', async (t) => {
  const controller = new AbortController()
  const job = new Job('s', spec, 'command', { ...settings, signal: controller.signal })
  controller.abort('user said so')
  t.equal(job.token.reason, 'user said so')
  const early = new AbortController()
  early.abort('before')
  t.equal(new Job('e', spec, 'command', { ...settings, signal: early.signal }).token.reason, 'before')
})

t.test('its ended promise resolves once it ends, also when first asked for afterwards', async (t) => {
  const asked = new Job('x', spec, 'command', settings)
  let settled = false
  const ended = asked.ended.then(() => (settled = true))
  t.equal(asked.ended, asked.ended, 'one promise however often it is asked for')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(settled, false, 'pending while the job is in flight')
  asked.end()
  await ended
  t.equal(settled, true)
  const late = new Job('y', spec, 'command', settings)
  late.end()
  await late.ended
  t.pass('a job that has ended gives a resolved promise')
})

t.test('a job given up before it ran: its result, and a handle that shows it', async (t) => {
  const job = new Job('q', spec, 'command', { ...settings, name: 'nightly', label: 'db' })
  t.equal(job.where, 'true')
  const result = job.unstarted('overlap')
  t.match(result, { ident: 'q', kind: 'command', ok: false, pid: null, cancelled: true, cancelReason: 'overlap', durationMs: 0 })
  const handle = new JobView(job, Promise.resolve(result), null)
  t.match(handle, { ident: 'q', kind: 'command', pid: null, startedAt: result.startedAt, host: null })
  t.equal(JobView.jobOf(handle), job, 'the handle leads back to its job')
  t.equal(JobView.jobOf({ ...handle }), undefined, 'a copy of a handle does not')
  t.same(await handle.result, result)
})

t.test("the JobResult names the machine: this one's hostname and no jobId locally; " +
  "a remote runner's host, pid, jobId and runs", async (t) => {
  const { hostname } = await import('node:os')
  const local = new Job('here', spec, 'command', settings)
  const run = execution()
  local.launched(run.execution, new Deadlines(), Date.now())
  run.end(0, null)
  t.match(local.settled(await run.execution.outcome), { ok: true, host: hostname(), jobId: null, pid: 4242, attempts: 1 })

  const remote = new Job('there', spec, 'command', settings)
  remote.launched({ kind: 'command', pid: null, outcome: new Promise(() => {}), stop() {} }, new Deadlines(), null)
  const outcome = { exitCode: 0, signal: null, error: null, details: { host: 'box-3', pid: 77, jobId: 'p:1' }, runs: 2 }
  t.match(remote.settled(outcome), { ok: true, host: 'box-3', pid: 77, jobId: 'p:1', attempts: 2 }, 'a stall re-run counts as a run')
})
