// stopRun() (lib/remote/stop-run.ts) against a fake queue and Redis: the cases a real Redis shows
// only by chance (an agent taking the job between the look and the remove, a look that fails or
// never answers, a job that ends while it is watched). test/remote/orphan.test.ts runs the real one.
import t from 'tap'
import { RemoteRun } from '../../dist/lib/remote/remote-run.js'
import { NEVER_RAN, stopRun, type StopContext } from '../../dist/lib/remote/stop-run.js'
import type { WireResult } from '../../dist/lib/remote/wire.js'
import { eventually } from '../helpers/wait.js'

/** What the fake Redis holds of the job: EXISTS of its lock and itself, its finishedOn and attemptsStarted; `fail`/`hang` a look. */
interface Held {
  held: number
  finishedOn?: string | null
  ats?: string | null
  fail?: boolean
  hang?: boolean
}

/** A fake backend: `looks` are the answers of the looks in turn (the last one repeated), `removes` those of remove(). */
function fake(looks: Held[], removes: (number | Error)[]) {
  const published: string[] = []
  const finished: WireResult[] = []
  let lookCount = 0
  let removeCount = 0
  const chain = {
    exists: () => chain,
    hmget: () => chain,
    exec: () => {
      const look = looks[Math.min(lookCount++, looks.length - 1)]!
      if (look.hang === true) return new Promise(() => {})
      if (look.fail === true) return Promise.reject(new Error('Connection is closed.'))
      return Promise.resolve([[null, look.held], [null, [look.finishedOn ?? null, look.ats ?? null]]])
    },
  }
  const runs = new Map<string, RemoteRun>()
  const context = {
    queue: {
      toKey: (id: string) => `bull:q:${id}`,
      remove: async () => {
        const answer = removes[Math.min(removeCount++, removes.length - 1)]!
        if (answer instanceof Error) throw answer
        return answer
      },
    },
    redis: { multi: () => chain },
    everyMs: 5,
    publish: async (_run: RemoteRun, signal: NodeJS.Signals) => void published.push(signal),
    finish: (jobId: string, result: WireResult) => {
      const run = runs.get(jobId)
      if (run === undefined) return
      runs.delete(jobId)
      finished.push(result)
      run.settle(result)
    },
  } as unknown as StopContext
  const make = (started: boolean): RemoteRun => {
    const run = new RemoteRun('process', 'j1', 0, () => {})
    runs.set('j1', run)
    run.added()
    if (started) run.began({ host: 'box-1', pid: 1234, startedAt: Date.now() })
    return run
  }
  const settle = (jobId: string, result: WireResult): void => context.finish(jobId, result)
  return { context, published, finished, make, looks: () => lookCount, removes: () => removeCount, settle }
}

t.test('a run not yet in the queue: nothing to stop there yet', async (t) => {
  const f = fake([{ held: 1 }], [1])
  const run = new RemoteRun('process', 'j0', 0, () => {})
  await stopRun(f.context, run, 'SIGTERM')
  t.same([f.published, f.looks(), f.removes()], [[], 0, 0])
})

t.test('a waiting job is taken off the queue: it never ran', async (t) => {
  const f = fake([{ held: 1 }], [1])
  await stopRun(f.context, f.make(false), 'SIGTERM')
  t.same(f.finished, [NEVER_RAN])
  t.same(f.published, [], 'no order')
})

t.test('a started job whose agent holds its lock, then loses it: taken off once the lock is gone, with its runs and host; ' +
  'a second stop orders again and watches no more', async (t) => {
  const f = fake([{ held: 2, ats: '1' }, { held: 2, ats: '1' }, { held: 1, ats: '2' }], [1])
  const run = f.make(true)
  const first = stopRun(f.context, run, 'SIGTERM')
  await stopRun(f.context, run, 'SIGKILL')
  await first
  t.same(f.published, ['SIGTERM', 'SIGKILL'])
  t.same(f.finished, [{ exitCode: null, signal: null, error: null, runs: 2, host: 'box-1' }])
  t.equal(f.looks(), 3, 'one watch')
  t.match(await run.outcome, { exitCode: null, signal: null, runs: 2, details: { host: 'box-1', jobId: 'j1' } })
})

t.test('a look that fails, and an agent that takes the job between the look and the remove: looked at again', async (t) => {
  const f = fake([{ held: 1, fail: true }, { held: 1, ats: '1' }], [0, 1])
  await stopRun(f.context, f.make(true), 'SIGTERM')
  t.equal(f.looks(), 3)
  t.equal(f.removes(), 2)
  t.match(f.finished, [{ runs: 1, host: 'box-1' }])
})

t.test('a job whose remove failed while it waited, taken by an agent lost before its start report: its run counts, its host is unknown',
  async (t) => {
    const f = fake([{ held: 1, ats: '1' }], [new Error('Connection is closed.'), 1])
    await stopRun(f.context, f.make(false), 'SIGTERM')
    t.same(f.published, ['SIGTERM'])
    t.same(f.finished, [{ exitCode: null, signal: null, error: null, runs: 1 }], 'no host: the producer never heard of one')
  })

t.test('a job that has ended, or is gone from Redis, is left to its result and the poll; the watch ends with the run', async (t) => {
  for (const look of [{ held: 1, finishedOn: '1796700000000', ats: '1' }, { held: 0 }]) {
    const f = fake([look], [1])
    const run = f.make(true)
    const stopping = stopRun(f.context, run, 'SIGTERM')
    t.ok(await eventually(() => f.looks() >= 2), 'looked at more than once')
    f.settle('j1', { exitCode: 0, signal: null, error: null })
    await stopping
    t.equal(f.removes(), 0, 'never removed')
    t.same(f.finished, [{ exitCode: 0, signal: null, error: null }])
  }
})

t.test('a look that never answers does not keep the watch once the run has ended', async (t) => {
  const f = fake([{ held: 1, hang: true }], [1])
  const stopping = stopRun(f.context, f.make(true), 'SIGTERM')
  t.ok(await eventually(() => f.looks() === 1))
  f.settle('j1', { exitCode: null, signal: null, error: null, runs: 0 })
  await stopping
  t.equal(f.looks(), 1)
})
