import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { startAgent, startRedis } from './redis.js'

t.test('an agent SIGKILLed mid-job: the job runs again on another agent and settles once', async (t) => {
  const redis = await startRedis(t)
  const first = await startAgent(t, redis.url, 'fo', 'box-1', ['--allow-commands'])
  const pm = new ForkManager({ maxProcs: 4, backend: redisBackend({ url: redis.url, queue: 'fo' }) })
  const h = await pm.start('quick', { worker: worker('echo-data'), data: 7 })
  // A job that ends at once, and one the kill lands in the middle of.
  const slow = await pm.start('sleeper', { command: 'sleep', args: ['2'] })
  await new Promise((r) => setTimeout(r, 300))
  first.kill('SIGKILL')
  await startAgent(t, redis.url, 'fo', 'box-2', ['--allow-commands'])
  t.equal((await h.result).data, 7)
  const r = await slow.result
  t.equal(r.exitCode, 0, 'the command job ran again on box-2 to its end')
  t.equal(r.error, null)
  await pm.shutdown()
})
