// An agent (`forkpool worker`) stopped with SIGTERM or SIGINT exits within a bound even when its
// Redis is gone, goes while it stops, or stops answering: it stops its jobs (TERM, KILL after
// their grace) and leaves no process behind. (It hung: BullMQ's close waited for a Redis that its
// connections kept trying to reach; only SIGKILL ended it.)
import { execFileSync, type ChildProcess } from 'node:child_process'
import t, { type Test } from 'tap'
import { ForkManager } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'
import { alive, startAgent, startRedis } from '../helpers/redis.js'

/** The bound the test holds the agent to: a job's kill grace (1 s here) and the agent's close bound, with room for a loaded machine. */
const EXIT_MS = 10_000

/** Every process under `pid`, children first. */
function descendants(pid: number): number[] {
  let children: number[] = []
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)
  } catch {
    // pgrep exits 1 when there is none
  }
  return children.flatMap((child) => [child, ...descendants(child)])
}

const exited = (agent: ChildProcess): boolean => agent.exitCode !== null || agent.signalCode !== null

/** An agent with a command job that ignores TERM (its kill grace 1 s) and a worker job running on it, and their processes. */
async function busyAgent(t: Test, queue: string) {
  const redis = await startRedis(t)
  const agent = await startAgent(t, redis.url, queue, 'box-1', ['--allow-commands'])
  // Its jobs settle lost once Redis has been gone past lostAfter: its shutdown at the test's end waits that long.
  const pm = new ForkManager({ maxProcs: 2, backend: redisBackend({ url: redis.url, queue, lostAfter: '1s' }) })
  t.teardown(() => pm.shutdown({ grace: 100 }))
  const pids: number[] = []
  pm.runOnStart(({ pid }) => pids.push(pid!))
  await pm.start('deaf', { command: 'sh', args: ['-c', 'trap "" TERM; sleep 60'] }, { killGrace: '1s' })
  await pm.start('worker', { worker: worker('sleep'), data: 60_000 })
  t.ok(await eventually(() => pids.length === 2, 10_000), 'both jobs run on the agent')
  const processes = descendants(agent.pid!)
  t.ok(processes.length >= 3, 'the agent has its job processes (and a spawner) under it')
  return { redis, agent, processes }
}

async function exitsAndLeavesNothing(
  t: Test, agent: ChildProcess, processes: number[], signal: NodeJS.Signals, ms = EXIT_MS
): Promise<void> {
  const sent = Date.now()
  agent.kill(signal)
  t.ok(await eventually(() => exited(agent), ms), `the agent exits within ${ms} ms of ${signal}`)
  t.comment(`exited after ${Date.now() - sent} ms`)
  t.equal(agent.exitCode, 0, 'cleanly')
  t.ok(await eventually(() => processes.every((pid) => !alive(pid))), 'no process of its jobs is left')
}

t.test('Redis gone, then SIGTERM: the agent stops its jobs and exits', async (t) => {
  const { redis, agent, processes } = await busyAgent(t, 'gone-term')
  await redis.stop('SIGKILL')
  await exitsAndLeavesNothing(t, agent, processes, 'SIGTERM')
})

t.test('Redis gone while the agent waits out a job\'s kill grace after SIGTERM: it exits all the same', async (t) => {
  const { redis, agent, processes } = await busyAgent(t, 'going-term')
  const sent = Date.now()
  agent.kill('SIGTERM')
  // The deaf job holds the agent's close for its grace (1 s): Redis goes meanwhile.
  await redis.stop('SIGKILL')
  t.ok(await eventually(() => exited(agent), EXIT_MS - (Date.now() - sent)), `the agent exits within ${EXIT_MS} ms of SIGTERM`)
  t.equal(agent.exitCode, 0, 'cleanly')
  t.ok(await eventually(() => processes.every((pid) => !alive(pid))), 'no process of its jobs is left')
})

t.test('Redis stopped answering (SIGSTOP), then SIGTERM: the agent stops its jobs and exits', async (t) => {
  const { redis, agent, processes } = await busyAgent(t, 'mute-term')
  redis.process.kill('SIGSTOP')
  // Gone before the producer's shutdown (teardowns run last first), whose jobs then settle lost after lostAfter (a
  // Redis back with no agent would hold them: their stop waits for an agent to take them).
  t.teardown(() => void redis.process.kill('SIGKILL'))
  // Its connections are open and get no answer: each step of the close waits out its own bound
  // (ioredis gives a disconnect 2 s to close its socket), hence the longer bound.
  await exitsAndLeavesNothing(t, agent, processes, 'SIGTERM', EXIT_MS + 5000)
})

t.test('Redis gone, an idle agent, then SIGINT: it exits', async (t) => {
  const redis = await startRedis(t)
  const agent = await startAgent(t, redis.url, 'gone-int', 'box-1')
  const processes = descendants(agent.pid!)
  await redis.stop('SIGKILL')
  await exitsAndLeavesNothing(t, agent, processes, 'SIGINT')
})
