// What a queue costs Redis: used_memory per job in flight (sent, no agent to take it) and per
// finished job kept (keepResults / keepResultsCount), and used_memory after many no-op jobs with
// redisBackend()'s defaults against the start. A redis-server of its own, 2 agents, stopped by pid.
//
//   node dist/bench/remote-memory.js [--jobs 100000] [--in-flight 2000]

import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { ForkManager } from '../lib/index.js'
import { startRig, workerFile } from './remote-rig.js'

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100000' }, 'in-flight': { type: 'string', default: '2000' } } })
const jobs = Number(values.jobs)
const inFlight = Number(values['in-flight'])
const WINDOW = 64

const rig = await startRig()
const client = new Redis(rig.url)
const used = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(String(await client.info('memory')))![1])
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(2)} MB`
try {
  const { redisBackend } = await import('../lib/remote/index.js')
  const job = (i: number) => ({ worker: workerFile('noop.js'), isolation: 'process-pool' as const, data: i })

  // In flight: jobs sent with no agent to take them.
  const waiting = new ForkManager({ maxProcs: inFlight, backend: redisBackend({ url: rig.url, queue: 'in-flight' }) })
  ;(await waiting.start('connect', { command: 'true' })).cancel()
  const before = await used()
  const handles = await Promise.all(Array.from({ length: inFlight - 1 }, (_, i) => waiting.start(`w${i}`, job(i))))
  const perInFlight = (await used() - before) / handles.length
  await waiting.shutdown({ grace: 100 })
  await client.flushall()

  await Promise.all([1, 2].map((n) => rig.agent('memory', `agent-${n}`, 32, ['--tasks-per-worker', '32'])))
  const pm = new ForkManager({ maxProcs: WINDOW, backend: redisBackend({ url: rig.url, queue: 'memory' }) })
  const start = await used()
  const keysStart = await client.dbsize()
  let next = 0
  let failed = 0
  let peak = start
  const began = performance.now()
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < jobs) {
      const i = next++
      const r = await (await pm.start(`j${i}`, job(i))).result
      if (!r.ok) failed++
      if (i % 5000 === 0) peak = Math.max(peak, await used())
    }
  }))
  const wall = (performance.now() - began) / 1000
  await pm.close()
  const end = await used()
  const kept = await client.zcard('bull:memory:completed')
  const events = await client.xlen('bull:memory:events')
  console.log(`in flight: ${mb(perInFlight * 1000)} per 1,000 jobs (${Math.round(perInFlight)} bytes each, ${handles.length} waiting ` +
    `no-op worker jobs)`)
  console.log(`${jobs} no-op jobs, default settings, ${failed} failed, ${wall.toFixed(0)} s: used_memory ${mb(start)} → ${mb(end)} (peak ` +
    `sampled ${mb(peak)}), keys ${keysStart} → ${await client.dbsize()}`)
  console.log(`kept finished jobs: ${kept}, events in the stream: ${events}; (end - start) per kept job: ` +
    `${Math.round((end - start) / Math.max(1, kept))} bytes`)
} finally {
  client.disconnect()
  await rig.stop()
}
