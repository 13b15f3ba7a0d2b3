// `forkpool worker --redis URL --queue Q -j N [--name NAME] --root DIR [--allow-commands]
// [--lock-duration MS] [--stalled-interval MS] [--max-stalled-count N] [--tasks-per-worker N]
// [--connect-timeout MS]`:
// runs an agent until SIGINT/SIGTERM, then lets its running jobs stop and exits. `--help`: the flags.

import { parseArgs } from 'node:util'

/** `forkpool worker --help`: the flags of docs/remote.md's table, in brief. */
const USAGE = `Usage: forkpool worker --redis URL --queue NAME --root DIR [options]

Takes the queue's jobs from Redis and runs them here, until SIGTERM or SIGINT (docs/remote.md).

  --redis URL               the Redis (default: FORKPOOL_REDIS_URL)
  --queue NAME              the queue the producers use
  --root DIR                worker files run only from under this folder
  -j, --jobs N              jobs at once on this machine (default 1)
  --name NAME               the name results and ps() show (default: the hostname)
  --allow-commands          run command jobs too (refused without it)
  --tasks-per-worker N      jobs at once in one reused process or thread (default 1)
  --lock-duration MS        how soon a lost agent's jobs run elsewhere (default 30000)
  --stalled-interval MS     how often lost agents' jobs are looked for (default 30000)
  --max-stalled-count N     how often a job may be lost with its agent and still run again (default 1)
  --connect-timeout MS      how long to wait for Redis at start (default 10000)
  -h, --help                this text
`

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
      'tasks-per-worker': { type: 'string' }, 'connect-timeout': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help === true) {
    process.stdout.write(USAGE)
    return 0
  }
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
