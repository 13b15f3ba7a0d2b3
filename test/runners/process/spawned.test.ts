// Fresh worker processes started by the native forker (lib/runners/process/spawned.ts). What a
// worker does is tested on this path and on fork() alike in runner.test.ts; here, what only this
// path has: where the child comes from, a forker that dies, a start and an exit read at once.
import t from 'tap'
import path from 'node:path'
import { processSpawners, SpawnerSet } from '../../../dist/lib/runners/spawner/spawners.js'
import { startFreshProcess } from '../../../dist/lib/runners/process/runner.js'
import { normalizeJob, type WorkerSpec } from '../../../dist/lib/runners/spec.js'
import { manager } from '../../helpers/manager.js'
import { alive, procStat, worker } from '../../helpers/paths.js'
import { eventually, untilFile } from '../../helpers/wait.js'

t.setTimeout(120_000)

const parentOf = (pid: number): number => Number(procStat(pid, 1))
const spec = (job: object) => normalizeJob({ worker: worker('faults'), ...job }) as WorkerSpec

t.test("fresh workers start on this process's forkers; with spawner: false, forked from this process", async (t) => {
  const job = { worker: worker('faults'), data: { mode: 'ok', value: Buffer.from('both ways') } }
  const via = await (await manager(t).start('via', job)).result
  t.match(via, { exitCode: 0, error: null, data: Buffer.from('both ways') })
  // The worker has exited; the forker that started it is still there, and the job's pid was its child's.
  const spawned = await manager(t).start('where', { worker: worker('faults'), data: { mode: 'hang-deaf' } })
  t.ok(processSpawners().pids.includes(parentOf(spawned.pid!)), 'the worker is a child of a forker')
  spawned.cancel('seen')
  await spawned.result
  const forked = await manager(t, { spawner: false }).start('forked', { worker: worker('faults'), data: { mode: 'hang-deaf' } })
  t.equal(parentOf(forked.pid!), process.pid, 'the worker is a child of this process')
  forked.cancel('seen')
  t.match(await forked.result, { cancelled: true, signal: 'SIGTERM' })
})

t.test('a forker killed mid-job: the worker ends with a SpawnerExitError and its group is killed', async (t) => {
  const dir = t.testdir()
  const pm = manager(t)
  const handle = await pm.start('victim', {
    worker: worker('faults'), data: { mode: 'spawn-sleeper', value: '94.31', ready: path.join(dir, 'up') },
  })
  t.ok(await untilFile(path.join(dir, 'up')), 'the worker runs')
  const forker = parentOf(handle.pid!)
  t.ok(processSpawners().pids.includes(forker))
  process.kill(forker, 'SIGKILL')
  t.match(await handle.result, {
    exitCode: null,
    signal: null,
    error: {
      name: 'SpawnerExitError',
      code: 'ERR_FORKPOOL_SPAWNER_EXIT',
      // eslint-disable-next-line @stylistic/max-len -- one regular expression for one message
      message: /^the spawner process that started the worker file:\S+faults\.js was killed by SIGKILL while the job ran; its process group was killed$/,
    },
  })
  t.ok(await eventually(() => !alive(handle.pid), 5000), 'the worker is gone')
  t.match((await (await pm.start('after', { worker: worker('faults'), data: { mode: 'ok', value: 1 } })).result), { exitCode: 0, data: 1 },
    'later workers run')
})

t.test('a forker that dies before it says a worker started: the start fails with a SpawnerExitError', async (t) => {
  const set = new SpawnerSet()
  await set.warm(1)
  const [pid] = set.pids
  process.kill(pid!, 'SIGKILL')
  // Without letting the event loop run, wait until the kernel has ended it (see spawners.test.ts).
  while (procStat(pid!, 0) !== 'Z') { /* busy-waits: the test needs the zombie before it goes on */ }
  const execution = startFreshProcess(spec({}), 'w', 1, null, set)
  await execution.started
  t.equal(execution.pid, null, 'no process')
  t.match(await execution.outcome, {
    exitCode: null, error: {
      name: 'SpawnerExitError',
      message: /^the spawner process that started the worker file:\S+ was killed by SIGKILL before the job started$/,
    }
  })
})

t.test('what fork() throws at the call is thrown on this path too', async (t) => {
  for (const spawner of [true, false]) {
    const r = await (await manager(t, { spawner }).start('nul', { worker: worker('faults'), cwd: 'a\0b' })).result
    t.match(r, {
      exitCode: null, pid: null, error: { code: 'ERR_INVALID_ARG_VALUE', message: /options.cwd. must be a string.* without null bytes/ },
    }, `spawner: ${spawner}`)
  }
})

t.test('a worker the forker cannot start is a result, with nothing to stop', async (t) => {
  const execution = startFreshProcess(spec({ cwd: '/no/such/dir' }), 'w', 1, null, processSpawners())
  execution.stop('SIGKILL')
  t.match(await execution.outcome, {
    exitCode: null, error: { code: 'ENOENT', message: /^cannot start a worker process for file:\S+: spawn \S+ ENOENT$/ },
  })
  t.equal(execution.pid, null)
})

t.test('Node spawners start no worker: it is forked from this process', async (t) => {
  const set = new SpawnerSet({ forker: false })
  const execution = startFreshProcess(spec({ data: { mode: 'ok', value: 'forked' } }), 'w', 1, null, set)
  t.match(await execution.outcome, { exitCode: 0, data: 'forked' })
  t.same(set.pids, [], 'no spawner was started for it')
})

t.test('a start and an exit read at once: the end waits a turn, so whoever awaited the start saw it first', async (t) => {
  const set = new SpawnerSet({ forker: new URL('../../fixtures/spawner/one-read-forker.mjs', import.meta.url).pathname }).grow(1)
  t.teardown(() => set.pids.forEach((pid) => process.kill(pid)))
  await set.warm()
  const execution = startFreshProcess(spec({ env: { FP_X: 'x' } }), 'w', 1, null, set)
  await execution.started
  let ended = false
  void execution.outcome.then(() => (ended = true))
  for (let k = 0; k < 20; k++) await Promise.resolve()
  t.equal(ended, false, 'not ended in the turn of its start')
  t.same(await execution.outcome, {
    exitCode: 0, signal: null, data: 'sent with the token', error: null,
  }, 'a reply in the read of the token is kept')
  t.equal(execution.pid, set.pids[0], "the stand-in's pid")
})
