import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { request } from '../helpers/http.js'
import { eventually } from '../helpers/wait.js'
import { startAgent, startRedis } from '../helpers/redis.js'

t.test('a job running on an agent: inFlight(), ps(), the status JSON and page name the agent', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'h1', 'box-7', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'h1' }) })
  t.teardown(() => pm.shutdown())
  const job = await pm.start('far', { command: 'sleep', args: ['30'] })
  t.ok(await eventually(() => pm.inFlight()[0]?.host === 'box-7', 10_000), 'inFlight() names the agent once it runs the job')
  t.match(pm.inFlight()[0], { ident: 'far', state: 'running', host: 'box-7' })
  const lines = pm.ps().trimEnd().split('\n')
  t.match(lines[0], /^PID +HOST +STATE /)
  t.match(lines[1], /^\d+ +box-7 +running +\S+ +\S+ +far +sleep 30$/, "the pid on the agent's machine, the agent's name")
  const srv = await pm.serveStatus()
  const body = JSON.parse((await request(srv.url, '/jobs')).body) as { jobs: unknown[] }
  t.match(body.jobs[0], { ident: 'far', host: 'box-7' })
  job.cancel()
  t.equal((await job.result).host, 'box-7')
})
