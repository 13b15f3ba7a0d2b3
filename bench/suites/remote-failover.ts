// remote-failover: seconds from an agent's SIGKILL to its job running on another agent, with
// BullMQ's default locks (lockDuration and stalledInterval 30 s) and with the tests' (2 s and 1 s).
// The figure is the test locks'; the default locks' is the detail column. What it shows: a lost
// agent's job runs again after about lockDuration (its lock lapses) plus up to one stalledInterval
// (the next stall check), so the lock settings are the failover time.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ForkManager } from '../../lib/index.js'
import { startRig, TEST_LOCKS, workerFile } from '../remote-rig.js'
import type { Suite } from '../suite.js'

const QUEUE = 'remote-failover'

async function untilFile(file: string, ms: number): Promise<{ at: number; agent: number }> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as { at: number; agent: number }
    } catch {
      if (Date.now() > deadline) throw new Error(`${file} did not appear within ${ms / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

/** Seconds from the SIGKILL of the agent running the job to the job's start on the other. */
async function failover(locks: string[]): Promise<number> {
  const rig = await startRig()
  const dir = mkdtempSync(join(tmpdir(), 'forkpool-failover-'))
  try {
    const agents = await Promise.all(['agent-1', 'agent-2'].map((name) => rig.agent(QUEUE, name, 1, locks)))
    const pm = new ForkManager({
      maxProcs: 1, backend: (await import('../../lib/remote/index.js')).redisBackend({ url: rig.url, queue: QUEUE }),
    })
    const job = await pm.start('probe', { worker: workerFile('failover-probe.js'), data: dir })
    const first = await untilFile(`${dir}/attempt-1`, 30_000)
    const victim = agents.find((agent) => agent.pid === first.agent)
    if (victim === undefined) throw new Error(`the job's parent ${first.agent} is neither agent`)
    const killedAt = Date.now()
    victim.kill('SIGKILL')
    const second = await untilFile(`${dir}/attempt-2`, 120_000)
    const result = await job.result
    if (!result.ok || result.data !== 2 || result.attempts !== 2) {
      throw new Error(`the job did not settle once, from its second run: ${JSON.stringify(result)}`)
    }
    await pm.close()
    return (second.at - killedAt) / 1000
  } finally {
    await rig.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export const suite: Suite = {
  name: 'remote-failover',
  title: 'seconds from an agent\'s SIGKILL to its job running on the other agent: test locks (2 s / 1 s); default locks (30 s / 30 s) ' +
    'beside (quick: test locks only)',
  unit: 's',
  better: 'lower',
  contenders: ['forkpool'],
  requires: { forkpool: 'redis-server' },
  details: { 'default locks': 's' },
  async run(contender, quick) {
    if (contender !== 'forkpool') throw new Error(`remote-failover has no contender ${contender}`)
    const figure = await failover(TEST_LOCKS)
    // The default locks take 30–60 s, past the quick run's minute per contender: measured only in the full run.
    const details: Record<string, number> = quick ? {} : { 'default locks': await failover([]) }
    return { figure, details }
  },
}
