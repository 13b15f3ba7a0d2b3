// `forkpool worker --redis URL --queue Q -j N [--name NAME] --root DIR [--allow-commands]
// [--lock-duration MS] [--stalled-interval MS] [--max-stalled-count N] [--tasks-per-worker N]
// [--connect-timeout MS]`:
// runs an agent until SIGINT/SIGTERM, then lets its running jobs stop and exits.

import { parseArgs } from 'node:util'

export async function runAgentCommand(argv: string[]): Promise<number> {
  try {
    return await runAgent(argv)
  } catch (error) {
    process.stderr.write(`forkpool worker: ${(error as Error).message}\n`)
    return 255
  }
}

async function runAgent(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      redis: { type: 'string' }, queue: { type: 'string' }, jobs: { type: 'string', short: 'j' },
      name: { type: 'string' }, root: { type: 'string' }, 'allow-commands': { type: 'boolean' },
      'lock-duration': { type: 'string' }, 'stalled-interval': { type: 'string' }, 'max-stalled-count': { type: 'string' },
      'tasks-per-worker': { type: 'string' }, 'connect-timeout': { type: 'string' },
    },
  })
  const url = values.redis ?? process.env.FORKPOOL_REDIS_URL
  if (url === undefined || values.queue === undefined || values.root === undefined) {
    process.stderr.write('forkpool worker: --redis URL (or FORKPOOL_REDIS_URL), --queue Q and --root DIR are required\n')
    return 2
  }
  // Loaded only now: without bullmq and ioredis (optional peers) the agent's import fails with one line that says what to install.
  const { startAgent } = await import('../remote/agent.js')
  // The pools' concurrentTasksPerWorker, for both: a producer's isolation picks the pool.
  const tasks = values['tasks-per-worker'] === undefined ? undefined : count('--tasks-per-worker', values['tasks-per-worker'], 1)
  const agent = await startAgent({
    url, queue: values.queue, root: values.root, maxProcs: count('-j', values.jobs ?? '1', 1),
    allowCommands: values['allow-commands'] === true,
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['lock-duration'] === undefined ? {} : { lockDuration: count('--lock-duration', values['lock-duration'], 1) }),
    ...(values['stalled-interval'] === undefined ? {} : { stalledInterval: count('--stalled-interval', values['stalled-interval'], 1) }),
    ...(values['max-stalled-count'] === undefined ? {} : { maxStalledCount: count('--max-stalled-count', values['max-stalled-count'], 0) }),
    ...(tasks === undefined ? {} : { processPool: { concurrentTasksPerWorker: tasks }, threadPool: { concurrentTasksPerWorker: tasks } }),
    ...(values['connect-timeout'] === undefined ? {} : { connectTimeout: count('--connect-timeout', values['connect-timeout'], 1) }),
  })
  process.stdout.write(`forkpool worker ${agent.name} ready\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })
  await agent.close()
  return 0
}

/** A flag's whole number from `min`, refused with the flag and the text given (Number() would take '', '0x10' or '1e3'). */
function count(flag: string, text: string, min: number): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN
  if (!(value >= min)) throw new RangeError(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(text)}`)
  return value
}
