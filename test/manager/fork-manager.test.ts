import t from 'tap'
import type { JobResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'
import { processesMatching, worker } from '../helpers/paths.js'
import { eventually, sleep } from '../helpers/wait.js'

for (const isolation of ['process', 'thread'] as const) {
  t.test(`Parallel::ForkManager's classic callback example (${isolation})`, async (t) => {
    const lines: string[] = []
    const pm = manager(t)
    pm.runOnStart(({ pid, ident }) => lines.push(`** ${ident} started, pid: ${pid}`))
    pm.runOnFinish(({ pid, exitCode, ident, data }) =>
      lines.push(`** ${ident} just got out of the pool with PID ${pid} and exit code: ${exitCode} data: ${JSON.stringify(data)}`))
    const handles = []
    for (const name of ['Fred', 'Wilma']) {
      handles.push(await pm.start(name, { worker: worker('name-length'), data: name, isolation }))
    }
    await pm.waitAllChildren()
    lines.push('Everybody is out of the pool!')

    t.equal(lines.length, 5)
    t.match(lines[0], /^\*\* Fred started, pid: /)
    t.match(lines[1], /^\*\* Wilma started, pid: /)
    t.equal(lines[4], 'Everybody is out of the pool!')
    const finished = lines.slice(2, 4).sort()
    t.match(finished[0],
      /^\*\* Fred just got out of the pool with PID \S+ and exit code: 4 data: \{"name":"Fred","length":4,"ident":"Fred","pid":\d+\}/)
    t.match(finished[1], /^\*\* Wilma just got out of the pool with PID \S+ and exit code: 5 data: \{"name":"Wilma","length":5/)
    for (const handle of handles) {
      const r = await handle.result
      t.equal(r.kind, isolation)
      if (isolation === 'process') {
        t.type(r.pid, 'number')
        t.not(r.pid, process.pid)
        t.equal((r.data as { pid: number }).pid, r.pid, 'the data came from that child')
        t.equal(r.threadId, null)
      } else {
        t.equal(r.pid, null)
        t.type(r.threadId, 'number')
        t.equal((r.data as { pid: number }).pid, process.pid, 'threads run inside this process')
      }
    }
    await pm.close()
  })
}

t.test('the cap holds, and setMaxProcs raises it mid-run', async (t) => {
  const pm = manager(t)
  const results: JobResult[] = []
  pm.runOnFinish((r) => results.push(r))
  for (let i = 0; i < 10; i++) await pm.start(`nap-${i}`, { worker: worker('sleep'), data: 150, isolation: 'thread' })
  await pm.waitAllChildren()
  const spans = results.map((r) => r.data as { started: number; ended: number })
  t.equal(spans.length, 10)
  t.equal(maxOverlap(spans), 2, 'never more than 2 at once, measured from the jobs themselves')

  results.length = 0
  pm.setMaxProcs(4)
  t.equal(pm.maxProcs, 4)
  // Naps long enough that four overlap however slowly the new threads start on a loaded machine.
  for (let i = 0; i < 8; i++) await pm.start(`nap-${i}`, { worker: worker('sleep'), data: 1500, isolation: 'thread' })
  await pm.waitAllChildren()
  t.equal(maxOverlap(results.map((r) => r.data as { started: number; ended: number })), 4, 'four run at once after setMaxProcs(4)')
  await pm.close()
})

t.test('setMaxProcs while jobs wait lets the waiting ones start at once', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const first = await pm.start('a', { command: 'sleep', args: ['0.5'] })
  let secondStarted = false
  const second = pm.start('b', { command: 'true' }).then((h) => {
    secondStarted = true
    return h
  })
  // A window in which 'b' must not start: 'a' holds the only slot for 0.5 s.
  await sleep(50)
  t.equal(secondStarted, false, 'waits for a slot')
  pm.setMaxProcs(2)
  await second
  t.equal(secondStarted, true)
  t.equal((await first.result).exitCode, 0)
  await pm.close()
})

t.test("a timed-out command that started a grandchild (sh -c 'sleep 100 & sleep 100') leaves no process behind", async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  // A distinct duration marks this test's sleeps in the process table.
  const sleep = `sleep 100.${process.pid % 1000}`
  const h = await pm.start('tree', { command: 'sh', args: ['-c', `${sleep} & ${sleep}`] }, { timeout: '1s' })
  t.ok(await eventually(async () => (await processesMatching(sleep)).length >= 2, 15_000), 'both sleeps run')
  t.match(await h.result, { timedOut: true, exitCode: null, signal: 'SIGTERM' })
  t.ok(await eventually(async () => (await processesMatching(sleep)).length === 0, 5000), 'no sleep is left')
})

function maxOverlap(spans: Array<{ started: number; ended: number }>): number {
  const edges = spans.flatMap((s) => [[s.started, 1], [s.ended, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let most = 0
  for (const [, delta] of edges) most = Math.max(most, (now += delta))
  return most
}

t.test('a job whose spawn throws (E2BIG: an env var past the 128 KiB a string may have) fails as a result, ' +
  'and frees its slot', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const finished: JobResult[] = []
  pm.runOnFinish((r) => finished.push(r))
  const env = { HUGE: 'x'.repeat(200_000) }
  const jobs = [
    { command: 'true', env },
    { worker: worker('noop'), isolation: 'process', env },
    { worker: worker('noop'), isolation: 'process-pool', env },
  ] as const
  for (const job of jobs) {
    // The cap is 1: a slot that the failed launch kept would leave the next start waiting forever.
    const r = await (await pm.start('huge', job)).result
    t.match(r, {
      pid: null, exitCode: null, signal: null, error: { code: 'E2BIG', message: /E2BIG/ },
    }, `${'command' in job ? 'command' : job.isolation}: failed with E2BIG`)
  }
  t.equal(finished.length, 3, 'runOnFinish heard every failed job')
  t.same(pm.inFlight(), [], 'no failed job is left in flight')
  const ok = await (await pm.start('after', { worker: worker('noop'), data: 7, isolation: 'process-pool' })).result
  t.match(ok, { exitCode: 0, data: 7 }, 'the pool still runs jobs')
  await pm.close()
})
