// `forkpool worker`'s refusals, in this process (no agent starts, so nothing waits for a signal):
// the required flags, each number flag checked with the flag and the text named, and a Redis that
// cannot be reached or never answers.
import t from 'tap'
import { createServer, type Socket } from 'node:net'
import { runWorkerCommand } from '../../dist/lib/cli/worker-command.js'
import { startAgent } from '../../dist/lib/remote/index.js'

/** Runs the command with stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr)
  let stderr = ''
  process.stderr.write = (chunk: string) => {
    stderr += chunk
    return true
  }
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
  for (
    const argv of [['--queue', 'q', '--root', '/tmp'], ['--redis', 'redis://x', '--root', '/tmp'], ['--redis', 'redis://x', '--queue', 'q']]
  ) {
    const { code, stderr } = await run(argv)
    t.equal(code, 2, argv.join(' '))
    t.equal(stderr, 'forkpool worker: --redis URL (or FORKPOOL_REDIS_URL), --queue Q and --root DIR are required\n')
  }
})

t.test('a bad number is refused before any connection: exit 255, the flag and the text named', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['-j', '0', 'from 1'], ['-j', 'eight', 'from 1'], ['-j', '1e3', 'from 1'], ['-j', '', 'from 1'],
    ['--lock-duration', '-5', 'from 1'], ['--stalled-interval', '1.5', 'from 1'],
    ['--max-stalled-count', 'x', 'from 0'], ['--tasks-per-worker', '0', 'from 1'], ['--connect-timeout', '10s', 'from 1'],
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
  await t.rejects(startAgent({ ...base, stalledInterval: 2.5 }),
    new RangeError('agent stalledInterval must be a whole number >= 1, got 2.5'))
  await t.rejects(startAgent({ ...base, maxStalledCount: -1 }), new RangeError('agent maxStalledCount must be a whole number >= 0, got -1'))
  await t.rejects(startAgent({ ...base, tasksPerWorker: '2' as unknown as number }),
    new TypeError('agent tasksPerWorker must be a number, got "2"'))
  await t.rejects(startAgent({ ...base, connectTimeout: 0 }), new RangeError('agent connectTimeout must be a whole number >= 1, got 0'))
})

t.test('a Redis that cannot be reached or never answers: exit 255 within --connect-timeout, saying why', async (t) => {
  // Port 1: nothing listens, so each try is refused; the connection would retry for ever.
  const started = Date.now()
  const refused = await run([...BASE, '--name', 'box-r', '--connect-timeout', '300'])
  t.equal(refused.code, 255)
  t.match(refused.stderr, /^forkpool worker: agent box-r: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0: connect ECONNREFUSED/)
  t.ok(Date.now() - started < 5000, 'well before the 10 s default')

  const sockets: Socket[] = []
  let closed = 0
  // Reads what the agent sends (its commands), and never answers.
  const mute = createServer((socket) => {
    sockets.push(socket)
    socket.resume().on('close', () => closed++)
  })
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    mute.close()
  })
  const { port } = mute.address() as { port: number }
  const silent = await run(['--redis', `redis://127.0.0.1:${port}/0`, '--queue', 'q', '--root', '/tmp', '--name', 'box-m',
    '--connect-timeout', '300'])
  t.equal(silent.code, 255)
  t.equal(silent.stderr, `forkpool worker: agent box-m: cannot reach Redis at redis://127.0.0.1:${port}/0: no answer within 300 ms\n`)
  t.ok(sockets.length >= 1, 'it did connect')
  for (let waited = 0; closed < sockets.length && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(closed, sockets.length, 'and closed its connection when it gave up')
})
