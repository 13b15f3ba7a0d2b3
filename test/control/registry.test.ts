// The in-flight registry and pm.ps() while jobs run (lib/control/registry.ts, lib/control/ps.ts).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { hostname } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'

t.test('inFlight() has one record per queued or running job, with every field', async (t) => {
  const pm = manager(t, { maxProcs: 3, killGrace: 2000 })
  const before = Date.now()
  const cmd = await pm.start('cmd', {
    command: 'sh', args: ['-c', 'trap "" TERM; sleep 3'],
  }, { name: 'nightly', label: 'db sync', timeout: '10s' })
  const proc = await pm.start('proc', { worker: worker('sleep'), data: 3000 }, { timeout: Infinity })
  const thread = await pm.start('thread', { worker: worker('sleep'), data: 3000, isolation: 'thread' })
  const queued = pm.start('waiting', { command: 'true' }, { label: 'later' })

  t.ok(await eventually(() => pm.inFlight().find((j) => j.ident === 'thread')?.threadId !== null), 'the thread reports its id')
  const records = pm.inFlight()
  t.same(records.map((r) => r.ident), ['cmd', 'proc', 'thread', 'waiting'])
  const [c, p, th, q] = records
  t.match(c, {
    ident: 'cmd', name: 'nightly', label: 'db sync', pid: cmd.pid, threadId: null, isolation: 'command', state: 'running',
    where: `sh -c 'trap "" TERM; sleep 3'`, startedAt: cmd.startedAt, timeoutAt: cmd.startedAt + 10_000, uses: 1,
  })
  t.ok(c!.queuedAt >= before && c!.queuedAt <= c!.startedAt!)
  t.ok(c!.elapsedMs >= 0 && c!.elapsedMs < 5000)
  t.match(p, {
    ident: 'proc', name: null, label: null, pid: proc.pid, isolation: 'process', where: 'dist/workers/sleep.js', timeoutAt: null,
    state: 'running',
  })
  t.match(th, { ident: 'thread', pid: null, isolation: 'thread', state: 'running', uses: 1 })
  t.type(th!.threadId, 'number')
  t.equal(th!.timeoutAt, thread.startedAt + 24 * 3_600_000, "the manager's default timeout")
  t.match(q, { ident: 'waiting', label: 'later', state: 'queued', pid: null, startedAt: null, timeoutAt: null, isolation: 'command' })
  t.same(records.map((r) => r.host), [hostname(), hostname(), hostname(), null], 'this machine once running; null while queued')

  const table = pm.ps()
  const lines = table.trimEnd().split('\n')
  t.match(lines[0], /^PID +STATE +ELAPSED +TIMEOUT +IDENT\/NAME +WHERE$/)
  t.equal(lines.length, 5)
  for (const line of lines) t.ok(line.length <= 80, `fits 80 columns: ${JSON.stringify(line)}`)
  t.match(lines[1], new RegExp(`^${cmd.pid} +running +\\S+ +\\d+\\.\\ds +cmd/nightly +sh -c 'trap`))
  t.match(lines[2], new RegExp(`^${proc.pid} +running +\\S+ +- +proc +dist/workers/sleep.js$`))
  t.match(lines[3], new RegExp(`^T${th!.threadId} +running +\\S+ +23h59m +thread +dist/workers/sleep.js$`))
  t.match(lines[4], /^- +queued +\S+ +- +waiting +true$/)

  cmd.cancel('look')
  t.equal(pm.inFlight()[0]!.state, 'stopping', 'a job that ignores TERM shows as stopping until KILL')
  t.match(pm.ps(), /stopping/)
  pm.cancelAll()
  await Promise.all([cmd.result, proc.result, thread.result, (await queued).result])
  t.same(pm.inFlight(), [])
  t.equal(pm.ps(), 'PID      STATE    ELAPSED TIMEOUT IDENT/NAME           WHERE\n', 'an idle manager: the header only')
  await pm.close()
})

t.test('where: a worker file outside the current directory is shown by its absolute path', async (t) => {
  // Not t.testdir(): that is inside the current directory.
  const dir = mkdtempSync(path.join(tmpdir(), 'forkpool-where-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'nap.mjs')
  copyFileSync(worker('sleep'), file)
  const pm = manager(t, { maxProcs: 1 })
  const h = await pm.start('outside', { worker: file, data: 2000, isolation: 'process-pool' })
  t.match(pm.inFlight(), [{ ident: 'outside', where: file }])
  h.cancel()
  await h.result
  await pm.close()
})

t.test('uses counts the jobs a reused worker process has been given', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const first = await (await pm.start('one', { worker: worker('sleep'), data: 1, isolation: 'process-pool' })).result
  const second = await pm.start('two', { worker: worker('sleep'), data: 2000, isolation: 'process-pool' })
  t.equal(second.pid, first.pid, 'the same process')
  t.match(pm.inFlight(), [{ ident: 'two', uses: 2 }], 'its second job')
  second.cancel()
  await second.result
  await pm.close()
})

t.test('uses counts the jobs a pool thread has run', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  await (await pm.start('one', { worker: worker('sleep'), data: 1, isolation: 'thread' })).result
  const second = await pm.start('two', { worker: worker('sleep'), data: 2000, isolation: 'thread' })
  t.ok(await eventually(() => pm.inFlight()[0]?.uses === 2), 'the one thread has run two jobs')
  second.cancel()
  await second.result
  await pm.close()
})
