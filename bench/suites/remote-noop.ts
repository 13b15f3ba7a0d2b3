// remote-noop: 20,000 no-op jobs through Redis to 2 agents of 32 jobs in flight each. What the
// queue hop costs: forkpool's redisBackend() and `forkpool worker` agents against the raw engine
// (a hand-written BullMQ producer and 2 Worker processes of concurrency 32, on the same kind of
// Redis), and against the local process pool (2 processes, 32 tasks each), which pays no hop.
// wire-floor is forkpool's producer with workers that answer its wire and run nothing
// (peers/wire-floor-worker.ts): the part of forkpool's cost that is the producer's and the wire's.

import { ForkManager } from '../../lib/index.js'
import { startRig, workerFile } from '../remote-rig.js'
import type { Suite } from '../suite.js'

const AGENTS = 2
const PER_AGENT = 32
const WINDOW = AGENTS * PER_AGENT
const QUEUE = 'remote-noop'

/** Runs `task(i)` for i in [0, n) with WINDOW at a time and checks every answer echoes its input. */
async function drive(n: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  let wrong = 0
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < n) {
      const i = next++
      if ((await task(i)) !== i) wrong++
    }
  }))
  if (wrong > 0) throw new Error(`${wrong} of ${n} tasks answered wrongly`)
}

/** Tasks per second over `n` tasks, after a warm-up that connects and starts what starts. */
async function measure(n: number, task: (i: number) => Promise<unknown>): Promise<number> {
  await drive(WINDOW, task)
  const started = performance.now()
  await drive(n, task)
  return n / ((performance.now() - started) / 1000)
}

/**
 * forkpool's producer (redisBackend()) against 2 processes that take the queue's jobs: `forkpool
 * worker` agents, or (`floor`) bare BullMQ workers that answer its wire at once and run nothing.
 */
async function forkpool(n: number, floor = false): Promise<number> {
  const rig = await startRig()
  try {
    if (floor) {
      const peer = new URL('../peers/wire-floor-worker.js', import.meta.url).pathname
      await Promise.all(Array.from({ length: AGENTS }, (_, i) => rig.start([peer, rig.url, QUEUE, String(PER_AGENT), `floor-${i + 1}`])))
    } else {
      // --tasks-per-worker as local-pool's concurrentTasksPerWorker: one pooled process per agent takes its 32 jobs.
      await Promise.all(Array.from({ length: AGENTS },
        (_, i) => rig.agent(QUEUE, `agent-${i + 1}`, PER_AGENT, ['--tasks-per-worker', String(PER_AGENT)])))
    }
    // The backend waits for the same waitUntilReady() as raw-bullmq (see there); the first job on
    // each agent waits for its pooled process to start, far longer than that gap, and the
    // backend's reconciling poll of job states is what closes it for good.
    const pm = new ForkManager({
      maxProcs: WINDOW, backend: (await import('../../lib/remote/index.js')).redisBackend({ url: rig.url, queue: QUEUE }),
    })
    const hosts = new Set<string>()
    const rate = await measure(n, async (i) => {
      // A pooled job, as local-pool's: an agent runs it in a reused process when it honours the isolation.
      const r = await (await pm.start('noop', { worker: workerFile('noop.js'), isolation: 'process-pool', data: i })).result
      if (!r.ok) throw new Error(`job ${i} failed: ${JSON.stringify(r.error)}`)
      hosts.add(r.host)
      return r.data
    })
    await pm.close()
    if (hosts.size !== AGENTS) throw new Error(`the jobs ran on ${[...hosts].join(', ')}, not on ${AGENTS} agents`)
    return rate
  } finally {
    await rig.stop()
  }
}

async function rawBullmq(n: number): Promise<number> {
  const { Queue, QueueEvents } = await import('bullmq')
  const rig = await startRig()
  try {
    const peer = new URL('../peers/bullmq-worker.js', import.meta.url).pathname
    await Promise.all(Array.from({ length: AGENTS }, () => rig.start([peer, rig.url, QUEUE, String(PER_AGENT)])))
    // Connection options, not clients: BullMQ then opens and closes its connections itself.
    const { hostname: host, port } = new URL(rig.url)
    const connection = { host, port: Number(port), maxRetriesPerRequest: null }
    const queue = new Queue(QUEUE, { connection })
    // From the stream's start: waitUntilReady() resolves before QueueEvents' first read, and the
    // events of jobs that complete in between were lost (seen here: the first two, every run).
    // The Redis is this run's own, so the stream's start is this run's first job.
    const events = new QueueEvents(QUEUE, { connection, lastEventId: '0-0' })
    await events.waitUntilReady()
    // As forkpool's backend does: one listener for every completion, the result in the event,
    // the job's record dropped on completion.
    // A completion can come before add() has answered: kept until its job asks for it.
    const waiting = new Map<string, (value: unknown) => void>()
    const early = new Map<string, unknown>()
    events.on('completed', ({ jobId, returnvalue }) => {
      const resolve = waiting.get(jobId)
      if (resolve === undefined) early.set(jobId, returnvalue)
      else resolve(returnvalue)
    })
    const rate = await measure(n, async (i) => {
      const job = await queue.add('noop', i, { removeOnComplete: true, removeOnFail: true })
      const value = early.has(job.id!) ? early.get(job.id!) : await new Promise((resolve) => waiting.set(job.id!, resolve))
      early.delete(job.id!)
      waiting.delete(job.id!)
      // The event carries the return value as JSON.
      return JSON.parse(value as string) as unknown
    })
    await Promise.all([events.close(), queue.close()])
    return rate
  } finally {
    await rig.stop()
  }
}

async function localPool(n: number): Promise<number> {
  // ceil(WINDOW / PER_AGENT) = 2 processes, 32 tasks each: the agents' shape, on this machine.
  const pm = new ForkManager({ maxProcs: WINDOW, processPool: { concurrentTasksPerWorker: PER_AGENT } })
  const rate = await measure(n, async (i) => {
    const r = await (await pm.start('noop', { worker: workerFile('noop.js'), isolation: 'process-pool', data: i })).result
    if (!r.ok) throw new Error(`job ${i} failed: ${JSON.stringify(r.error)}`)
    return r.data
  })
  await pm.close()
  return rate
}

export const suite: Suite = {
  name: 'remote-noop',
  title: '20,000 no-op jobs through Redis, 2 agents of 32 in flight each (quick: 200)',
  unit: 'tasks/s',
  better: 'higher',
  contenders: ['forkpool', 'raw-bullmq', 'wire-floor', 'local-pool'],
  requires: { forkpool: 'redis-server', 'raw-bullmq': 'redis-server', 'wire-floor': 'redis-server' },
  async run(contender, quick) {
    const n = quick ? 200 : 20_000
    switch (contender) {
      case 'forkpool':
        return forkpool(n)
      case 'raw-bullmq':
        return rawBullmq(n)
      case 'wire-floor':
        return forkpool(n, true)
      case 'local-pool':
        return localPool(n)
      default:
        throw new Error(`remote-noop has no contender ${contender}`)
    }
  },
  targets: [
    {
      // Issue #32's decision: the wire's own floor (wire-floor) is already ~1.3x, for what it must
      // carry (structured clones, results kept for the reconciling poll, the worker file's hash).
      describe: 'forkpool within 1.5x of raw-bullmq\'s time per job',
      check: (m) => 1.5 * m['forkpool']! >= m['raw-bullmq']!,
      actual: (m) => `${(m['raw-bullmq']! / m['forkpool']!).toFixed(2)}x`,
      uses: ['raw-bullmq'],
    },
  ],
}
