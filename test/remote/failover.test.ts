// An agent SIGKILLed mid-job: at least once (the job runs again on the other agent: one JobResult,
// attempts 2), or, at most once, a WorkerLostError. No process of the killed agent's jobs is left:
// its commands die with its spawner, its worker processes when their IPC channel closes.
import t from 'tap'
import { ForkManager, WorkerLostError, type JobStartInfo } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'
import { alive, startAgent, startRedis } from '../helpers/redis.js'

for (const delivery of ['at-least-once', 'at-most-once'] as const) {
  t.test(`${delivery}: an agent SIGKILLed mid-job, a worker job and a command job`, async (t) => {
    const redis = await startRedis(t)
    const queue = delivery === 'at-least-once' ? 'fo1' : 'fo2'
    const doomed = await startAgent(t, redis.url, queue, 'box-1', ['--allow-commands'])
    const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue, delivery, reconcileInterval: '1s' }) })
    t.teardown(() => pm.shutdown({ grace: 500 }))
    const starts: JobStartInfo[] = []
    pm.runOnStart((info) => starts.push(info))
    const seen: string[] = []
    pm.runOnFinish((r) => seen.push(r.ident))
    const cmd = await pm.start('cmd', { command: 'sleep', args: ['3'] })
    const wrk = await pm.start('wrk', { worker: worker('sleep'), data: 3000 })
    t.ok(await eventually(() => starts.length === 2), 'both started on box-1')
    const firstPids = starts.map((s) => s.pid!)
    doomed.kill('SIGKILL')
    await startAgent(t, redis.url, queue, 'box-2', ['--allow-commands'])
    for (const pid of firstPids) t.ok(await eventually(() => !alive(pid)), `the killed agent's job process ${pid} is gone`)
    const results = [await cmd.result, await wrk.result]
    if (delivery === 'at-least-once') {
      for (const r of results) t.match(r, { ok: true, attempts: 2, host: 'box-2' }, `${r.ident}: ran again on box-2`)
      t.equal(results[1]!.data !== undefined, true)
    } else {
      for (const r of results) {
        t.match(r, { ok: false, attempts: 1, error: { name: 'WorkerLostError', code: WorkerLostError.code } }, `${r.ident}: not run again`)
      }
    }
    t.same(seen.sort(), ['cmd', 'wrk'], 'exactly one JobResult each')
  })
}
