import t from 'tap'
import { spawn } from 'node:child_process'
import { ForkManager } from '../../../dist/lib/index.js'
import { processSpawners, SpawnerSet } from '../../../dist/lib/runners/spawner/spawners.js'
import { builtForker } from '../../../dist/lib/runners/spawner/spawner.js'
import { encodeOrder } from '../../../dist/lib/runners/spawner/native-codec.js'
import { startCommand } from '../../../dist/lib/runners/command.js'
import { startOnSpawner } from '../../../dist/lib/runners/spawner/client.js'
import { normalizeJob, type CommandSpec } from '../../../dist/lib/runners/spec.js'
import { manager } from '../../helpers/manager.js'
import { processesMatching, procStat } from '../../helpers/paths.js'
import { eventually } from '../../helpers/wait.js'

// Room for a loaded machine: these tests wait on real processes.
t.setTimeout(120_000)

const spec = (job: object) => normalizeJob(job) as CommandSpec
const FIXTURE = new URL('../../fixtures/spawner-parent.mjs', import.meta.url).pathname

const parentOf = (pid: number): number => Number(procStat(pid, 1))

/** Runs the fixture parent in `mode`; resolves with its exit code and what it printed. */
function runParent(mode: string, marker = ''): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [FIXTURE, mode, marker], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })))
}

t.test("commands start on this process's spawners; with spawner: false, from this process", async (t) => {
  const job = { command: 'sh', args: ['-c', 'echo $PPID'], capture: true }
  const via = await (await manager(t).start('via', job)).result
  t.ok(processSpawners().pids.includes(Number(via.stdout)), 'the shell is a child of a spawner')
  const direct = await (await manager(t, { spawner: false }).start('direct', job)).result
  t.equal(Number(direct.stdout), process.pid, 'the shell is a child of this process')
})

t.test('the spawner option and warm() are checked at the call', async (t) => {
  t.throws(() => new ForkManager({ spawner: 0 }), new RangeError('spawner (false for none) must be a whole number >= 1, got 0'))
  t.throws(() => new ForkManager({ spawner: 1.5 }), RangeError)
  t.throws(() => new ForkManager({ spawner: 'two' as never }),
    new TypeError('spawner must be a boolean or a number of spawner processes, got "two"'))
  t.throws(() => new ForkManager({ spawner: null as never }), TypeError)
  t.throws(() => new ForkManager({ spawners: 2 } as never), /did you mean spawner\?/)
  await t.rejects(ForkManager.warm(0), RangeError)
  await t.rejects(ForkManager.warm('2' as never), TypeError)
})

t.test('jobs get the working directory and environment of this process as they are at their start', async (t) => {
  await ForkManager.warm()
  process.env['FP_LATE'] = 'set after the spawners started'
  t.teardown(() => delete process.env['FP_LATE'])
  const out = await (startCommand(spec({
    command: 'sh', args: ['-c', 'printf "%s|%s" "$FP_LATE" "$PWD"'], cwd: 'dist', capture: true,
  }))).outcome
  t.equal(out.details?.stdout, `set after the spawners started|${process.cwd()}/dist`)
})

t.test('an order carries the environment only where it is no longer the spawner\'s: every job still sees this process\'s, with its own ' +
  'over it', async (t) => {
  await ForkManager.warm()
  const show = { command: 'sh', args: ['-c', 'printf "%s|%s" "$PATH" "$FP_JOB"'], capture: true }
  const path = process.env['PATH']!
  // Unchanged: the job's own entries go over the spawner's environment.
  t.equal((await (startCommand(spec({ ...show, env: { FP_JOB: 'own' } }))).outcome).details?.stdout, `${path}|own`)
  // A value changed (the same variables): the whole environment goes with the order.
  process.env['PATH'] = `${path}:/fp-changed`
  t.teardown(() => (process.env['PATH'] = path))
  t.equal((await (startCommand(spec(show))).outcome).details?.stdout, `${path}:/fp-changed|`)
  t.equal((await (startCommand(spec({ ...show, env: { FP_JOB: 'own' } }))).outcome).details?.stdout, `${path}:/fp-changed|own`)
})

t.test('input the command never reads is no failure', async (t) => {
  const out = await (startCommand(spec({ command: 'true', input: 'x'.repeat(1 << 20) }))).outcome
  t.same(out, { exitCode: 0, signal: null, error: null })
})

t.test('a spawner killed mid-job: its jobs end with a SpawnerExitError, their groups are killed, and it is replaced', async (t) => {
  const pm = manager(t)
  const marker = 'sleep 93.71'
  const handle = await pm.start('victim', { command: 'sh', args: ['-c', `${marker} & ${marker}; wait`] })
  const spawnerPid = parentOf(handle.pid!)
  t.ok(processSpawners().pids.includes(spawnerPid), 'the job is a child of a spawner')
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 3, 15_000), 'sh and both sleeps run')
  process.kill(spawnerPid, 'SIGKILL')
  t.match(await handle.result, {
    exitCode: null,
    signal: null,
    error: {
      name: 'SpawnerExitError', code: 'ERR_FORKPOOL_SPAWNER_EXIT',
      message: /^the spawner process that started sh was killed by SIGKILL while the job ran; its process group was killed$/,
    },
  })
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 0, 5000), 'nothing of the job is left')
  t.notOk(processSpawners().pids.includes(spawnerPid), 'the dead spawner is gone from the set')
  const after = await (await pm.start('after', { command: 'sh', args: ['-c', 'echo $PPID'], capture: true })).result
  t.equal(after.exitCode, 0, 'later jobs run')
  t.ok(processSpawners().pids.includes(Number(after.stdout)), 'on a live spawner')
  t.equal(processSpawners().pids.length, 2, 'the set is whole again')
})

t.test('a spawner that dies before it says a job started: the start fails with a SpawnerExitError', async (t) => {
  const set = new SpawnerSet()
  await set.warm(1)
  const [pid] = set.pids
  process.kill(pid!, 'SIGKILL')
  // Without letting the event loop run (so this process has not heard of the death), wait until
  // the kernel has ended it: the order is then written to a closed channel.
  while (procStat(pid!, 0) !== 'Z') { /* busy-waits: the test needs the zombie before it goes on */ }
  const execution = startCommand(spec({ command: 'true' }), set)
  await execution.started
  t.equal(execution.pid, null, 'no process')
  t.match(await execution.outcome, {
    exitCode: null, signal: null, error: {
      name: 'SpawnerExitError', code: 'ERR_FORKPOOL_SPAWNER_EXIT',
      message: /^the spawner process that started true was killed by SIGKILL before the job started$/,
    },
  })
  await set.warm()
  t.equal(set.pids.length, 1, 'replaced')
  t.not(set.pids[0], pid)
})

t.test('a job sent to a spawner that could not start at all fails with a SpawnerExitError, not a hang', async (t) => {
  for (const files of [{ forker: '/no/such/forker' }, { execPath: '/no/such/node' }]) {
    // The job goes to the spawner in the turn that starts it, before its start has failed.
    t.match(await startCommand(spec({ command: 'true' }), new SpawnerSet(files)).outcome, {
      error: {
        name: 'SpawnerExitError',
        message: /^the spawner process that started true could not start: spawn \/no\/such\/\w+ ENOENT before the job started$/,
      },
    })
  }
})

t.test('a set started without a count has the default, min(2, availableParallelism())', async (t) => {
  const { availableParallelism } = await import('node:os')
  const set = new SpawnerSet()
  await set.warm()
  t.equal(set.pids.length, Math.min(2, availableParallelism()))
})

t.test('a job that ends at once is still running when its start resolves, as with a direct spawn', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  for (let i = 0; i < 20; i++) {
    const first = await pm.start(`first-${i}`, { command: 'true' }, { name: 'only', onOverlap: 'reject-new' })
    t.equal(pm.runningCount, 1, 'running')
    await t.rejects(pm.start(`second-${i}`, { command: 'true' }, { name: 'only', onOverlap: 'reject-new' }), { name: 'OverlapError' })
    await first.result
  }
})

t.test('a start and an exit read at once: the exit waits a turn, so whoever awaited the start saw it first', async (t) => {
  const set = new SpawnerSet({ forker: new URL('../../fixtures/spawner/one-read-forker.mjs', import.meta.url).pathname }).grow(1)
  t.teardown(() => set.pids.forEach((pid) => process.kill(pid)))
  await set.warm()
  const spawner = set.pick()!
  for (let i = 0; i < 3; i++) {
    // Two jobs in one read each time: what follows the first start (its exit, the second start and exit) waits, in order.
    const first = startOnSpawner(spec({ command: 'anything' }), spawner)
    const second = startOnSpawner(spec({ command: 'anything' }), spawner)
    const seen: string[] = []
    for (const [name, execution] of [['first', first], ['second', second]] as const) {
      void execution.started.then(() => seen.push(`${name} started`))
      void execution.outcome.then(() => seen.push(`${name} ended`))
    }
    await first.started
    t.equal(first.pid, spawner.pid, "the stand-in's pid, known at the start")
    // What the same turn still runs: its microtasks, however many.
    for (let k = 0; k < 20; k++) await Promise.resolve()
    t.same(seen, ['first started'], 'not ended in the turn of its start')
    t.same(await first.outcome, { exitCode: 0, signal: null, error: null })
    await second.outcome
    t.same(seen, ['first started', 'first ended', 'second started', 'second ended'])
  }
})

t.test('spawners that cannot start: after three in a row, commands start from this process, with a warning', async (t) => {
  // A runtime that exits at once has a pid while it runs; a node that is not there gives none.
  // The same for the native forker: a program that exits at once, a path with nothing there.
  const cases = [
    [{ runtime: new URL('../../fixtures/spawner/exits.cjs', import.meta.url) }, 1],
    [{ execPath: '/no/such/node' }, 0],
    [{ forker: '/bin/false' }, 1],
    [{ forker: '/no/such/forker' }, 0],
  ] as const
  for (const [files, pids] of cases) {
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning)
    process.on('warning', onWarning)
    const set = new SpawnerSet(files).grow(1)
    t.equal(set.pids.length, pids, 'the first one, just started')
    await set.warm(1)
    t.ok(await eventually(() => warnings.length === 1), 'warned once')
    process.off('warning', onWarning)
    t.match(warnings[0], { name: 'ForkpoolSpawnerWarning', message: /3 spawner processes in a row ended before they were ready/ })
    t.same(set.pids, [], 'none is left')
    t.equal(set.pick(), undefined, 'none is picked')
    const out = await (startCommand(spec({ command: 'sh', args: ['-c', 'echo $PPID'], capture: true }), set)).outcome
    t.equal(Number(out.details?.stdout), process.pid, 'the command ran, from this process')
  }
})

for (const [mode, kind] of [['orphans', 'native forkers'], ['orphans-node', 'Node spawners']] as const) {
  t.test(`a manager killed by SIGKILL leaves no command behind: its spawners kill their groups (${kind})`, async (t) => {
    const marker = `100.${process.pid}${mode.length}`
    const kill = async (): Promise<void> => {
      for (const pid of await processesMatching(`sleep ${marker}`)) process.kill(pid, 'SIGKILL')
    }
    t.teardown(kill)
    const parent = spawn(process.execPath, [FIXTURE, mode, marker], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise((resolve) => parent.stdout.once('data', resolve))
    // Three shells, each with two sleeps (pgrep -f also matches the shells, whose command line holds the marker).
    t.ok(await eventually(async () => (await processesMatching(`sleep ${marker}`)).length === 9, 15_000),
      'the commands and their grandchildren run')
    parent.kill('SIGKILL')
    t.ok(await eventually(async () => (await processesMatching(`sleep ${marker}`)).length === 0, 2000, 20),
      'within 2 s nothing of them is left')
  })
}

t.test('spawners never keep a process alive; a running job does', async (t) => {
  t.same(await runParent('idle'), { code: 0, out: '' }, 'a manager with no job: the process exits')
  t.same(await runParent('one-job'), { code: 0, out: 'finished\n' }, 'it stays for its job, then exits')
})

t.test('the spawner runtime kills the groups it started when its channel closes, and exits', async (t) => {
  const { fork } = await import('node:child_process')
  const runtime = new URL('../../../dist/lib/runners/spawner/runtime.cjs', import.meta.url)
  const child = fork(runtime, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const marker = 'sleep 94.17'
  const started = new Promise((resolve) => child.on('message', (m: { type: string }) => m.type === 'started' && resolve(m)))
  child.send({
    id: 1, command: 'sh', args: ['-c', `${marker} & ${marker}; wait`], cwd: process.cwd(), env: process.env, shell: false, capture: false,
    maxBuffer: 1,
  })
  await started
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 3, 15_000), 'sh and both sleeps run')
  child.disconnect()
  const code = await new Promise((resolve) => child.once('exit', resolve))
  t.equal(code, 0)
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 0), 'the group is gone')
})

t.test('the native forker kills the groups it started when its orders end, and exits', async (t) => {
  const forker = builtForker()
  if (!t.ok(forker, 'build/forker was built: `npm run build` needs a C compiler (Debian: apt-get install gcc)')) return
  const child = spawn(forker as string, [], { stdio: ['pipe', 'inherit', 'inherit', 'pipe'] })
  const reports = child.stdio[3] as NodeJS.ReadableStream
  // ready (5 bytes), then started (9 bytes).
  const started = new Promise<void>((resolve) => {
    let got = 0
    reports.on('data', (chunk: Buffer) => (got += chunk.length) >= 14 && resolve())
  })
  const marker = 'sleep 94.19'
  child.stdin.write(encodeOrder({
    id: 1, command: 'sh', args: ['-c', `${marker} & ${marker}; wait`], cwd: process.cwd(), shell: false, capture: true, maxBuffer: 1,
  }))
  await started
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 3, 15_000), 'sh and both sleeps run')
  child.stdin.end()
  const code = await new Promise((resolve) => child.once('exit', resolve))
  t.equal(code, 0)
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 0), 'the group is gone')
  t.equal(builtForker('/no/such/forker'), false, 'a forker that is not there is none')
})

t.test('ForkManager.warm() starts the spawners now; a count asks for at least that many', async (t) => {
  await ForkManager.warm()
  t.ok(processSpawners().pids.length >= 2)
  await ForkManager.warm(3)
  t.equal(processSpawners().pids.length, 3)
  await ForkManager.warm(1)
  t.equal(processSpawners().pids.length, 3, 'never fewer')
})
