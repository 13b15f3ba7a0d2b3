// `forkpool worker`'s refusals, in this process (no agent starts, so nothing waits for a signal):
// the required flags, and each number flag checked with the flag and the text named.
import t from 'tap'
import { runWorkerCommand } from '../../dist/lib/cli/worker-command.js'
import { startAgent } from '../../dist/lib/remote/index.js'

/** Runs the command with stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write
  let stderr = ''
  process.stderr.write = ((chunk: string) => {
    stderr += chunk
    return true
  }) as typeof process.stderr.write
  try {
    return { code: await runWorkerCommand(argv), stderr }
  } finally {
    process.stderr.write = write
  }
}

const BASE = ['--redis', 'redis://127.0.0.1:1/0', '--queue', 'q', '--root', '/tmp']

t.test('--queue and --root are required, and a URL (--redis or FORKPOOL_REDIS_URL): exit 2, one line saying so', async (t) => {
  const saved = process.env.FORKPOOL_REDIS_URL
  delete process.env.FORKPOOL_REDIS_URL
  t.teardown(() => {
    if (saved !== undefined) process.env.FORKPOOL_REDIS_URL = saved
  })
  for (const argv of [['--queue', 'q', '--root', '/tmp'], ['--redis', 'redis://x', '--root', '/tmp'], ['--redis', 'redis://x', '--queue', 'q']]) {
    const { code, stderr } = await run(argv)
    t.equal(code, 2, argv.join(' '))
    t.equal(stderr, 'forkpool worker: --redis URL (or FORKPOOL_REDIS_URL), --queue Q and --root DIR are required\n')
  }
})

t.test('a bad number is refused before any connection: exit 255, the flag and the text named', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['-j', '0', 'from 1'], ['-j', 'eight', 'from 1'], ['-j', '1e3', 'from 1'], ['-j', '', 'from 1'],
    ['--lock-duration', '-5', 'from 1'], ['--stalled-interval', '1.5', 'from 1'],
    ['--max-stalled-count', 'x', 'from 0'], ['--tasks-per-worker', '0', 'from 1'],
  ]
  for (const [flag, text, from] of cases) {
    const { code, stderr } = await run([...BASE, ...(text.startsWith('-') ? [`${flag}=${text}`] : [flag, text])])
    t.equal(code, 255, `${flag} ${JSON.stringify(text)}`)
    t.equal(stderr, `forkpool worker: ${flag} must be a whole number ${from}, got ${JSON.stringify(text)}\n`)
  }
  const { stderr } = await run([...BASE, '--max-stalled-count', '0', '--queue', 'bad:name'])
  t.match(stderr, /^forkpool worker: .*bad:name/, 'a good 0 passes; the next refusal (the queue name) is the one shown')
})

t.test('startAgent() checks its numbers: a TypeError or RangeError naming the option and the value', async (t) => {
  const base = { url: 'redis://127.0.0.1:1/0', queue: 'q', root: '/tmp', concurrency: 1 }
  await t.rejects(startAgent({ ...base, concurrency: 0 }), new RangeError('agent concurrency must be a whole number >= 1, got 0'))
  await t.rejects(startAgent({ ...base, lockDuration: 0 }), new RangeError('agent lockDuration must be a whole number >= 1, got 0'))
  await t.rejects(startAgent({ ...base, stalledInterval: 2.5 }), new RangeError('agent stalledInterval must be a whole number >= 1, got 2.5'))
  await t.rejects(startAgent({ ...base, maxStalledCount: -1 }), new RangeError('agent maxStalledCount must be a whole number >= 0, got -1'))
  await t.rejects(startAgent({ ...base, tasksPerWorker: '2' as unknown as number }), new TypeError('agent tasksPerWorker must be a number, got "2"'))
})
