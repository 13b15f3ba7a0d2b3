// remote-bulk: 100,000 tiny items (add one) through Redis to 2 agent processes, as forkpool's
// users write it (one remote map() call: the items go in chunks, a chunk is one queue job) and as
// BullMQ's users write it (one job per item: a producer adding the jobs in bulk, addBulk of 1,000
// at a time, a Worker per agent process, the results read from the queue's completed events).
// Items per second each: what chunking gives map() users that the raw engine does not.

import { ForkManager } from '../../lib/index.js'
import { startRig } from '../remote-rig.js'
import type { Suite } from '../suite.js'
import { sumOf } from './remote-map.js'

const AGENTS = 2
/** Jobs at once on each agent: forkpool's as remote-map's (threads run the chunks); BullMQ's as remote-noop's raw workers. */
const FORKPOOL_PER_AGENT = 2
const RAW_PER_AGENT = 32
const BULK = 1000
const QUEUE = 'remote-bulk'

const expected = (count: number): number => (count * (count + 1)) / 2

async function forkpool(items: number[]): Promise<number> {
  const rig = await startRig()
  try {
    await Promise.all(Array.from({ length: AGENTS }, (_, i) => rig.agent(QUEUE, `agent-${i + 1}`, FORKPOOL_PER_AGENT)))
    const pm = new ForkManager({
      maxProcs: AGENTS * FORKPOOL_PER_AGENT,
      backend: (await import('../../lib/remote/index.js')).redisBackend({ url: rig.url, queue: QUEUE }),
    })
    const started = performance.now()
    await sumOf(pm, items)
    const rate = items.length / ((performance.now() - started) / 1000)
    await pm.close()
    return rate
  } finally {
    await rig.stop()
  }
}

async function rawBullmq(items: number[]): Promise<number> {
  const { Queue, QueueEvents } = await import('bullmq')
  const rig = await startRig()
  try {
    const peer = new URL('../peers/bullmq-add-one-worker.js', import.meta.url).pathname
    await Promise.all(Array.from({ length: AGENTS }, () => rig.start([peer, rig.url, QUEUE, String(RAW_PER_AGENT)])))
    const { hostname: host, port } = new URL(rig.url)
    const connection = { host, port: Number(port), maxRetriesPerRequest: null }
    const queue = new Queue(QUEUE, { connection })
    // From the stream's start (see remote-noop): the Redis is this run's own.
    const events = new QueueEvents(QUEUE, { connection, lastEventId: '0-0' })
    await events.waitUntilReady()
    let sum = 0
    let seen = 0
    let done!: () => void
    const all = new Promise<void>((resolve) => (done = resolve))
    events.on('completed', ({ returnvalue }) => {
      // The event carries the return value as JSON.
      sum += JSON.parse(returnvalue as string) as number
      if (++seen === items.length) done()
    })
    const started = performance.now()
    for (let i = 0; i < items.length; i += BULK) {
      await queue.addBulk(items.slice(i,
        i + BULK).map((n) => ({ name: 'add-one', data: n, opts: { removeOnComplete: true, removeOnFail: true } })))
    }
    // Bounded: events QueueEvents misses (BullMQ #2517) would otherwise leave it waiting for ever.
    let timer: NodeJS.Timeout | undefined
    await Promise.race([all,
      new Promise((_resolve,
        reject) => (timer = setTimeout(() => reject(new Error(`only ${seen} of ${items.length} completed events within 10 minutes`)),
        600_000)))])
    clearTimeout(timer)
    const rate = items.length / ((performance.now() - started) / 1000)
    await Promise.all([events.close(), queue.close()])
    if (sum !== expected(items.length)) throw new Error(`expected results summing to ${expected(items.length)}, got ${sum}`)
    return rate
  } finally {
    await rig.stop()
  }
}

export const suite: Suite = {
  name: 'remote-bulk',
  title: '100,000 tiny items (add one) through Redis to 2 agent processes: ' +
    'one remote map() against raw BullMQ, one job per item added in bulk (quick: 10,000)',
  unit: 'items/s',
  better: 'higher',
  contenders: ['forkpool', 'raw-bullmq'],
  requires: { forkpool: 'redis-server', 'raw-bullmq': 'redis-server' },
  async run(contender, quick) {
    const items = Array.from({ length: quick ? 10_000 : 100_000 }, (_, i) => i)
    switch (contender) {
      case 'forkpool':
        return forkpool(items)
      case 'raw-bullmq':
        return rawBullmq(items)
      default:
        throw new Error(`remote-bulk has no contender ${contender}`)
    }
  },
}
