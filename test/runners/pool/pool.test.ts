import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { ForkManager } from '../../../dist/lib/index.js'
import { manager } from '../../helpers/manager.js'
import { alive, worker } from '../../helpers/paths.js'
import { pooled, run } from '../../helpers/pool.js'
import { eventually } from '../../helpers/wait.js'

const faults = worker('faults')
const probe = worker('pool-probe')
// Generous: these tests start many Node processes, and the machine may be loaded.
t.setTimeout(240_000)

t.test('jobs run one after another in the same reused process', async (t) => {
  const pm = manager(t)
  const first = await run(pm, { worker: probe })
  const second = await run(pm, { worker: probe })
  t.match(first, { kind: 'process-pool', exitCode: 0, error: null, data: { jobs: 1 } })
  t.equal(first.pid, (first.data as { pid: number }).pid, 'the JobResult names the process that ran it')
  t.match(second.data, { pid: first.pid, jobs: 2 })
  t.match(await run(pm, { worker: faults, data: { mode: 'finish', code: 3, value: 'three' } }), { exitCode: 3, data: 'three', error: null })
  t.match(await run(pm, { worker: faults, data: { mode: 'throw' } }), {
    exitCode: 1, error: { name: 'RangeError', message: 'asked to throw in j' },
  })
  t.match((await run(pm, { worker: probe })).data, { pid: first.pid, jobs: 3 }, 'a different worker file runs in the same process')
})

t.test('the same worker file gives the same results under process, process-pool and thread', async (t) => {
  const pm = manager(t)
  const nameLength = worker('name-length')
  for (const isolation of ['process', 'process-pool', 'thread'] as const) {
    const r = await (await pm.start('same', { worker: nameLength, data: 'Anna', isolation })).result
    t.match(r, { kind: isolation, exitCode: 4, error: null, data: { name: 'Anna', length: 4, ident: 'same' } }, isolation)
    const thrown = await (await pm.start('same', { worker: faults, data: { mode: 'throw' }, isolation })).result
    t.match(thrown, { exitCode: 1, error: { name: 'RangeError' } }, `${isolation} throw`)
  }
})

t.test('maxTasksPerWorker recycles a process after that many jobs', async (t) => {
  const pm = manager(t, { maxProcs: 1, processPool: { maxTasksPerWorker: 2 } })
  const seen: Array<{ pid: number; jobs: number }> = []
  for (let i = 0; i < 5; i++) seen.push((await run(pm, { worker: probe })).data as { pid: number; jobs: number })
  t.same(seen.map((s) => s.jobs), [1, 2, 1, 2, 1])
  t.equal(seen[0]!.pid, seen[1]!.pid)
  t.not(seen[1]!.pid, seen[2]!.pid)
  t.equal(seen[2]!.pid, seen[3]!.pid)
  t.not(seen[3]!.pid, seen[4]!.pid)
  t.ok(await eventually(() => !alive(seen[0]!.pid), 3000), 'the recycled process has exited')
})

t.test('maxWorkerMemory recycles a process whose RSS passed it after a job', async (t) => {
  const pm = manager(t, { maxProcs: 1, processPool: { maxWorkerMemory: '150MB' } })
  const small = (await run(pm, { worker: probe })).data as { pid: number; rss: number }
  t.ok(small.rss < 150e6, `a fresh process is well under the limit (${small.rss} bytes)`)
  const same = (await run(pm, { worker: probe })).data as { pid: number }
  t.equal(same.pid, small.pid, 'under the limit: kept')
  const grown = (await run(pm, { worker: probe, data: { keepMB: 200 } })).data as { pid: number; rss: number }
  t.equal(grown.pid, small.pid)
  t.ok(grown.rss > 150e6, `it grew past the limit (${grown.rss} bytes)`)
  const fresh = (await run(pm, { worker: probe })).data as { pid: number; jobs: number }
  t.not(fresh.pid, grown.pid, 'over the limit: replaced')
  t.equal(fresh.jobs, 1)
  t.ok(await eventually(() => !alive(grown.pid), 3000), 'the grown process has exited')
})

t.test('execArgv, cwd and env pick separate processes', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const dir = t.testdir()
  writeFileSync(path.join(dir, 'env.mjs'), 'export default () => [process.pid, process.env.FP_X, process.cwd()]')
  const a = (await run(pm, { worker: path.join(dir, 'env.mjs'), env: { FP_X: 'a' }, cwd: dir })).data as [number, string, string]
  const b = (await run(pm, { worker: path.join(dir, 'env.mjs'), env: { FP_X: 'b' } })).data as [number, string, string]
  const a2 = (await run(pm, { worker: path.join(dir, 'env.mjs'), env: { FP_X: 'a' }, cwd: dir })).data as [number, string, string]
  t.same([a[1], a[2]], ['a', dir])
  t.equal(b[1], 'b')
  t.not(a[0], b[0])
  t.equal(a2[0], a[0], 'the same setup reuses its process')
})

t.test('idleTimeout ends idle processes; runningProcs lists busy ones', async (t) => {
  const pm = manager(t, { processPool: { idleTimeout: 200 } })
  const h = await pm.start('busy', { worker: faults, data: { mode: 'hang', ms: 300 }, ...pooled })
  t.same(pm.runningProcs(), [h.pid])
  const r = await h.result
  t.ok(alive(r.pid))
  t.ok(await eventually(() => !alive(r.pid), 3000), 'gone after the idle timeout')
})

t.test('idle processes do not keep the parent alive, and close() ends them', async (t) => {
  const child = spawn(process.execPath, [new URL('../../fixtures/pool-parent.mjs', import.meta.url).pathname, 'idle-only'],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  const pid = Number(await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString()))))
  const [code] = await new Promise<[number | null]>((resolve) => child.once('exit', (c) => resolve([c])))
  t.equal(code, 0, 'the parent ended by itself, without close()')
  t.ok(await eventually(() => !alive(pid), 2000), 'and so did its idle worker')

  const pm = new ForkManager({ maxProcs: 2 })
  const pids = await Promise.all([0, 1].map(async () => (await run(pm, { worker: faults, data: { mode: 'hang', ms: 100 } })).pid))
  t.equal(new Set(pids).size, 2)
  await pm.close()
  t.notOk(pids.some(alive), 'close() waited for the processes to exit')
})

t.test('processPool options are checked at construction', async (t) => {
  t.throws(() => new ForkManager({ processPool: 5 as never }), {
    name: 'TypeError', message: 'processPool options must be an object, got ' +
    '5'
  })
  t.throws(() => new ForkManager({ processPool: { maxTasks: 1 } as never }), {
    name: 'TypeError', message: '"maxTasks" is not a ' +
    'processPool option; it takes maxTasksPerWorker, maxWorkerMemory, idleTimeout, concurrentTasksPerWorker'
  })
  t.throws(() => new ForkManager({ processPool: { maxTaskPerWorker: 1 } as never }), {
    name: 'TypeError', message: '"maxTaskPerWorker" is not a processPool option; did you mean maxTasksPerWorker?',
  })
  t.throws(() => new ForkManager({ processPool: { maxTasksPerWorker: 0 } }), {
    name: 'RangeError', message: /maxTasksPerWorker must be a whole number >= 1, or Infinity, got 0/,
  })
  t.throws(() => new ForkManager({ processPool: { maxWorkerMemory: 'lots' } }), {
    name: 'RangeError', message: /processPool.maxWorkerMemory "lots" is not a size/,
  })
  t.throws(() => new ForkManager({ processPool: { idleTimeout: -1 } }), { name: 'RangeError', message: /processPool.idleTimeout/ })
  const good = new ForkManager({ processPool: { maxTasksPerWorker: Infinity, maxWorkerMemory: 1e9, idleTimeout: '1s' } })
  t.ok(good)
  await good.close()
  await t.rejects(manager(t).start('x', { worker: faults, isolation: 'pool' as never }),
    /job.isolation must be one of 'process', 'process-pool', 'thread'/)
})

t.test('a stop of a job that has already ended is harmless: nothing is sent, the process takes the next job', async (t) => {
  const { WorkerPool } = await import('../../../dist/lib/runners/pool/pool.js')
  const { processPoolSettings } = await import('../../../dist/lib/runners/pool/settings.js')
  const { startProcess } = await import('../../../dist/lib/runners/pool/transport.js')
  const { normalizeJob } = await import('../../../dist/lib/runners/spec.js')
  const pool = new WorkerPool(processPoolSettings(undefined), () => 1, startProcess)
  t.teardown(() => pool.close())
  const spec = normalizeJob({ worker: worker('square'), data: 4, isolation: 'process-pool' }) as never
  const first = pool.start(spec, 'sq')
  t.match(await first.outcome, { exitCode: 0, data: 16 })
  first.stop('SIGTERM')
  first.stop('SIGKILL')
  const second = pool.start(spec, 'sq2')
  t.match(await second.outcome, { exitCode: 0, data: 16, error: null }, 'the same process runs on')
  t.equal(second.pid, first.pid)
})
