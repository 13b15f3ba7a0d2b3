import t from 'tap'
import { DURATION_WINDOW, StatsCounter, percentile } from '../../dist/lib/control/stats.js'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'

t.test('stats() counts queued and running now, and how finished jobs ended, with duration percentiles', async (t) => {
  const pm = manager(t)
  t.same(pm.stats(), { queued: 0, running: 0, finished: 0, failed: 0, timedOut: 0, cancelled: 0, durationMs: null })
  // Both must still run when stats() is read below: times a loaded machine cannot overrun there.
  const slow = await pm.start('slow', { command: 'sleep', args: ['1'] })
  const stuck = await pm.start('stuck', { command: 'sleep', args: ['5'] }, { timeout: '1500ms' })
  const waiting = pm.start('waiting', { command: 'sleep', args: ['5'] })
  t.ok(await eventually(() => pm.stats().queued === 1), "'waiting' waits for a slot")
  t.match(pm.stats(), { queued: 1, running: 2, finished: 0 })
  pm.cancel('waiting')
  await (await waiting).result
  await stuck.result
  await slow.result
  await (await pm.start('fails', { command: 'sh', args: ['-c', 'exit 3'] })).result
  await (await pm.start('throws', { worker: worker('faults'), data: { mode: 'throw' } })).result
  const running = await pm.start('cancelled', { command: 'sleep', args: ['5'] })
  running.cancel()
  await running.result
  const stats = pm.stats()
  t.match(stats, { queued: 0, running: 0, finished: 6, failed: 2, timedOut: 1, cancelled: 2 })
  const d = stats.durationMs!
  t.ok(d.max >= 1450, `max is the slowest job (the one that timed out): ${d.max}`)
  t.ok(d.p50 <= d.p95 && d.p95 <= d.max)
  t.ok(d.p50 > 0, 'the never-started job (0 ms) is not among the durations')
  await pm.close()
})

t.test('nearest-rank percentiles, over a bounded window of recent jobs', async (t) => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
  t.equal(percentile(sorted, 50), 50)
  t.equal(percentile(sorted, 95), 95)
  t.equal(percentile([7], 95), 7)
  t.equal(percentile([1, 2], 50), 1)
  const counter = new StatsCounter()
  const result = (durationMs: number) => ({ exitCode: 0, error: null, cancelled: false, timedOut: false, durationMs }) as never
  counter.record(result(1_000_000), true)
  for (let i = 0; i < DURATION_WINDOW; i++) counter.record(result(1), true)
  const s = counter.snapshot(0, 0)
  t.equal(s.finished, DURATION_WINDOW + 1)
  t.same(s.durationMs, { p50: 1, p95: 1, max: 1_000_000 }, 'the slow job fell out of the window; max remembers it')
})
