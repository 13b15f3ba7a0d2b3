// `forkpool worker --redis URL --queue Q -j N [--name NAME] --root DIR [--allow-commands]
// [--lock-duration MS] [--stalled-interval MS] [--max-stalled-count N]`:
// runs an agent until SIGINT/SIGTERM, then lets its running jobs stop and exits.

import { parseArgs } from 'node:util'
import { startAgent } from '../remote/agent.js'

export async function runWorkerCommand(argv: string[]): Promise<number> {
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
    },
  })
  const url = values.redis ?? process.env.FORKPOOL_REDIS_URL
  if (url === undefined || values.queue === undefined || values.root === undefined) {
    process.stderr.write('forkpool worker: --redis URL (or FORKPOOL_REDIS_URL), --queue Q and --root DIR are required\n')
    return 2
  }
  const agent = await startAgent({
    url, queue: values.queue, root: values.root, concurrency: Number(values.jobs ?? 1),
    allowCommands: values['allow-commands'] === true,
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['lock-duration'] === undefined ? {} : { lockDuration: Number(values['lock-duration']) }),
    ...(values['stalled-interval'] === undefined ? {} : { stalledInterval: Number(values['stalled-interval']) }),
    ...(values['max-stalled-count'] === undefined ? {} : { maxStalledCount: Number(values['max-stalled-count']) }),
  })
  process.stdout.write(`forkpool worker ${agent.name} ready\n`)
  await new Promise<void>((done) => {
    process.once('SIGTERM', done)
    process.once('SIGINT', done)
  })
  await agent.close()
  return 0
}
