// shutdown() and handleSignals: nothing lost, nothing left behind.
import t from 'tap'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ForkManager, type JobResult } from '../../dist/lib/index.js'
import { alive, processesMatching, worker } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${signal} to a parent with handleSignals stops every job and leaves no process`, async (t) => {
    const log = path.join(t.testdir(), 'events.jsonl')
    const marker = `8${signal === 'SIGINT' ? 1 : 2}.${process.pid % 1000}`
    // Without tap's coverage hook (NODE_OPTIONS): its own signal listener would decide how the parent
    // ends, and its exit-time dump would be in the timing. The handler's code is covered in-process below.
    const env = { ...process.env, NODE_OPTIONS: '' }
    const parent = spawn(process.execPath, [new URL('../fixtures/signal-parent.mjs', import.meta.url).pathname, log, marker], {
      stdio: ['ignore', 'pipe', 'inherit'], env,
    })
    await new Promise((resolve) => parent.stdout.once('data', resolve))
    const started = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as {
      event: string; ident: string; pid: number | null
    })
    const pids = started.map((e) => e.pid).filter((pid): pid is number => pid !== null)
    t.equal(pids.length, 4, 'two commands and two worker processes run')
    // cmd's sh and its two sleeps, cmd-deaf's sh and its sleep (run once TERM is ignored), proc's sleep.
    t.ok(await eventually(async () => (await processesMatching(`sleep ${marker}`)).length >= 6, 15_000), 'their sleeping grandchildren run')

    const sent = Date.now()
    parent.kill(signal)
    const [code,
      bySignal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => parent.once('exit', (c, s) => resolve([c, s])))
    const tookMs = Date.now() - sent
    // By the signal itself; or, where the signal was ignored when the parent started (tap starts
    // test processes with SIGINT ignored, and children inherit that), with 128 + its number.
    const signo = signal === 'SIGINT' ? 2 : 15
    t.ok(bySignal === signal || code === 128 + signo, `the parent ended by ${signal}: signal ${bySignal}, code ${code}`)
    // killGrace is 1 s in the parent: the deaf jobs take that long to be killed. The rest of the
    // bound is room for a loaded machine.
    t.ok(tookMs < 4000, `the parent was done in ${tookMs} ms`)
    t.same(pids.filter(alive), [], 'no job process is left')
    t.ok(await eventually(async () => (await processesMatching(`sleep ${marker}`)).length === 0, 3000), 'no grandchild is left')

    const events = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as {
      event: string; ident: string; cancelled?: boolean; reason?: string
    })
    const finished = events.filter((e) => e.event === 'finish')
    t.same(finished.map((e) => e.ident).sort(), ['cmd', 'cmd-deaf', 'proc', 'proc-deaf', 'queued', 'thread', 'thread-deaf'],
      'every job, the queued one too, got its result')
    t.ok(finished.every((e) => e.cancelled === true && e.reason === 'shutdown'), 'all cancelled by the shutdown')
    t.notOk(events.some((e) => e.event === 'start' && e.ident === 'queued'), 'the queued job never started')
  })
}

t.test('shutdown() in-process: queued jobs cancelled, running ones stopped, callbacks fired', async (t) => {
  const pm = new ForkManager({ maxProcs: 2, killGrace: '10s' })
  const finished: JobResult[] = []
  pm.runOnFinish((r) => finished.push(r))
  const a = await pm.start('a', { command: 'sleep', args: ['30'] })
  const b = await pm.start('b', { worker: worker('faults'), data: { mode: 'hang' }, isolation: 'thread' })
  const queued = pm.start('queued', { command: 'sleep', args: ['30'] })
  const started = Date.now()
  await pm.shutdown({ signal: 'SIGINT', grace: 200 })
  t.ok(Date.now() - started < 5000)
  t.match(await a.result, { cancelled: true, cancelReason: 'shutdown', signal: 'SIGINT' })
  t.match(await b.result, { cancelled: true, cancelReason: 'shutdown', error: { name: 'AbortError' } })
  t.match(await (await queued).result, { cancelled: true, cancelReason: 'shutdown', pid: null })
  t.equal(finished.length, 3)
  await t.rejects(pm.start('late', { command: 'true' }), { message: /ForkManager is closed/ })
  await pm.shutdown()
})

t.test('a job woken by a free slot in the same turn as the shutdown does not start', async (t) => {
  const pm = new ForkManager({ maxProcs: 1 })
  let shutdown: Promise<void> | undefined
  // runOnFinish runs right after the slot came free and woke `second`, before its start resumes.
  pm.runOnFinish((r) => {
    if (r.ident === 'first') shutdown = pm.shutdown()
  })
  await pm.start('first', { command: 'sleep', args: ['0.2'] })
  const second = pm.start('second', { command: 'true' })
  t.match(await (await second).result, { cancelled: true, cancelReason: 'shutdown', pid: null })
  await shutdown
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`the ${signal} handler shuts down, then re-raises the signal`, async (t) => {
    // Signals to this process are recorded, not sent; the jobs' signals go through.
    const realKill = process.kill.bind(process)
    const kills: Array<[number, string | number | undefined]> = []
    t.capture(process, 'kill', (pid: number, sig?: string | number) => {
      kills.push([pid, sig])
      return pid === process.pid ? true : realKill(pid, sig)
    })
    const pm = new ForkManager({ handleSignals: true, killGrace: 200 })
    const job = await pm.start('job', { command: 'sleep', args: ['30'] })
    process.emit(signal)
    t.match(await job.result, { cancelled: true, cancelReason: 'shutdown' })
    await eventually(() => kills.some(([pid]) => pid === process.pid))
    t.same(kills.filter(([pid]) => pid === process.pid), [[process.pid, signal]])
    t.equal(process.exitCode, signal === 'SIGINT' ? 130 : 143, 'the exit code says which signal, should the signal not end the process')
    process.exitCode = undefined
    t.ok(kills.some(([pid, sig]) => pid === -job.pid! && sig === signal), 'the job got the same signal')
  })
}

t.test('bad shutdown and handleSignals arguments', async (t) => {
  const pm = new ForkManager()
  // A string that names no signal: of the right type, out of range.
  await t.rejects(pm.shutdown({ signal: 'SIGNOPE' as NodeJS.Signals }), {
    name: 'RangeError', message: `shutdown() signal must be a signal name such as 'SIGTERM', got "SIGNOPE"`,
  })
  await t.rejects(pm.shutdown({ grace: -1 }), RangeError)
  await pm.close()
  t.throws(() => new ForkManager({ handleSignals: 'yes' as unknown as boolean }), {
    name: 'TypeError', message: 'handleSignals must be a boolean, got "yes"',
  })
  const withHandlers = new ForkManager({ handleSignals: true })
  t.equal(process.listenerCount('SIGINT') > 0, true)
  const before = process.listenerCount('SIGTERM')
  await withHandlers.close()
  t.equal(process.listenerCount('SIGTERM'), before - 1, 'close() removed its handler')
})
