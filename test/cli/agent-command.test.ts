// `forkpool worker`'s refusals, in this process (no agent starts, so nothing waits for a signal):
// the required flags, each number flag checked with the flag and the text named, and a Redis that
// cannot be reached or never answers.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { runAgentCommand } from '../../dist/lib/cli/agent-command.js'
import { startAgent } from '../../dist/lib/remote/index.js'
import { RedisUnreachableError } from '../../dist/lib/index.js'
import { eventually } from '../helpers/wait.js'

/** Runs the command with stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr)
  let stderr = ''
  process.stderr.write = (chunk: string) => {
    stderr += chunk
    return true
  }
  try {
    return { code: await runAgentCommand(argv), stderr }
  } finally {
    process.stderr.write = write
  }
}

const BASE = ['--redis', 'redis://127.0.0.1:1/0', '--queue', 'q', '--root', '/tmp']

t.test('--help (-h) prints every flag docs/remote.md\'s table has, exit 0, without the required ones', async (t) => {
  const doc = readFileSync(new URL('../../docs/remote.md', import.meta.url), 'utf8')
  const table = doc.slice(doc.indexOf('| option | meaning |'), doc.indexOf('Each number must be'))
  const flags = [...table.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]!)
  t.ok(flags.length >= 10, `the table's flags: ${flags.join(' ')}`)
  for (const argv of [['--help'], ['-h']]) {
    const write = process.stdout.write.bind(process.stdout)
    let stdout = ''
    process.stdout.write = (chunk: string) => {
      stdout += chunk
      return true
    }
    let code: number
    try {
      code = (await run(argv)).code
    } finally {
      process.stdout.write = write
    }
    t.equal(code, 0, argv[0])
    t.match(stdout, /^Usage: forkpool worker --redis URL --queue NAME --root DIR/)
    for (const flag of flags) t.ok(stdout.includes(`${flag} `), `${argv[0]} lists ${flag}`)
  }
})

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
    ['-j', '0', '>= 1'], ['-j', 'eight', '>= 1'], ['-j', '1e3', '>= 1'], ['-j', '', '>= 1'],
    ['--lock-duration', '-5', '>= 1'], ['--stalled-interval', '1.5', '>= 1'],
    ['--max-stalled-count', 'x', '>= 0'], ['--tasks-per-worker', '0', '>= 1'], ['--connect-timeout', '10s', '>= 1'],
  ]
  for (const [flag, text, from] of cases) {
    const { code, stderr } = await run([...BASE, ...(text.startsWith('-') ? [`${flag}=${text}`] : [flag, text])])
    t.equal(code, 255, `${flag} ${JSON.stringify(text)}`)
    t.equal(stderr, `forkpool worker: ${flag} must be a whole number ${from}, got ${JSON.stringify(text)}\n`)
  }
  const { stderr } = await run([...BASE, '--max-stalled-count', '0', '--queue', 'bad:name'])
  t.match(stderr, /^forkpool worker: .*bad:name/, 'a good 0 passes; the next refusal (the queue name) is the one shown')
})

t.test('startAgent() checks its options as the manager does: an unknown key, a wrong type, a value out of range, each named', async (t) => {
  const base = { url: 'redis://127.0.0.1:1/0', queue: 'q', root: '/tmp', maxProcs: 1 }
  type Options = Parameters<typeof startAgent>[0]
  const bad = (extra: Record<string, unknown>) => startAgent({ ...base, ...extra })
  // Unknown keys: a TypeError naming the key; the names of before are told where they went.
  await t.rejects(bad({ lockDurration: '2s' }), new TypeError('"lockDurration" is not a startAgent() option; did you mean lockDuration?'))
  await t.rejects(bad({ concurrency: 4 }), new TypeError('"concurrency" is not a startAgent() option; did you mean maxProcs?'))
  await t.rejects(bad({ tasksPerWorker: 2 }), new TypeError('"tasksPerWorker" is not a startAgent() option; did you mean ' +
    'processPool.concurrentTasksPerWorker and threadPool.concurrentTasksPerWorker?'))
  await t.rejects(startAgent(null as unknown as Options), new TypeError('startAgent() options must be an object, got null'))
  // Wrong types: TypeErrors (an empty name, of the right type, is a RangeError).
  await t.rejects(bad({ maxProcs: '2' }), new TypeError('startAgent() maxProcs must be a whole number >= 1, got "2"'))
  await t.rejects(bad({ lockDuration: true }),
    new TypeError("startAgent() lockDuration must be a number of milliseconds or a string like '5s', got true"))
  await t.rejects(bad({ allowCommands: 'yes' }), new TypeError('startAgent() allowCommands must be a boolean, got "yes"'))
  await t.rejects(bad({ name: '' }), new RangeError('startAgent() name must be a non-empty string, got ""'))
  await t.rejects(bad({ root: 7 }), new TypeError('startAgent() root must be a non-empty string, got 7'))
  await t.rejects(bad({ processPool: { concurrentTaskPerWorker: 2 } }), {
    name: 'TypeError', message: /^"concurrentTaskPerWorker" is not a processPool option; did you mean concurrentTasksPerWorker\?/,
  })
  // Out of range: RangeErrors.
  await t.rejects(bad({ maxProcs: 0 }), new RangeError('startAgent() maxProcs must be a whole number >= 1, got 0'))
  await t.rejects(bad({ lockDuration: 0 }), new RangeError('startAgent() lockDuration must be a positive number of milliseconds, got 0'))
  await t.rejects(bad({ stalledInterval: Infinity }), new RangeError('startAgent() stalledInterval must be a finite duration, got ' +
    'Infinity'))
  await t.rejects(bad({ stalledInterval: '2 weeks' }), {
    name: 'RangeError', message: /^startAgent\(\) stalledInterval "2 weeks" is not a duration/,
  })
  await t.rejects(bad({ maxStalledCount: -1 }), new RangeError('startAgent() maxStalledCount must be a whole number >= 0, got -1'))
  await t.rejects(bad({ threadPool: { concurrentTasksPerWorker: 0 } }), new RangeError('threadPool.concurrentTasksPerWorker must be a ' +
    'whole number >= 1, got 0'))
  await t.rejects(bad({ connectTimeout: -5 }),
    new RangeError('startAgent() connectTimeout must be a positive number of milliseconds, got -5'))
})

t.test('startAgent() takes durations as a number of ms or a string: connectTimeout \'300ms\' gives up within it, with a ' +
  'RedisUnreachableError', async (t) => {
  const started = Date.now()
  const error = await startAgent({
    url: 'redis://127.0.0.1:1/0', queue: 'q', root: '/tmp', maxProcs: 1, name: 'box-d', connectTimeout: '300ms', lockDuration: '2s',
    stalledInterval: '1s',
  }).then(() => undefined, (error: unknown) => error)
  t.ok(error instanceof RedisUnreachableError, 'a RedisUnreachableError')
  t.match(error, {
    name: 'RedisUnreachableError', code: 'ERR_FORKPOOL_REDIS_UNREACHABLE',
    message: /^agent box-d: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0: connect ECONNREFUSED/, cause: { message: /ECONNREFUSED/ },
  })
  t.ok(Date.now() - started < 5000, 'well before the 10 s default')
  // The defaults (maxProcs, allowCommands, the durations) pass the checks; so does allowCommands: true.
  await t.rejects(startAgent({ url: 'redis://127.0.0.1:1/0', queue: 'q', root: '/tmp', connectTimeout: 200 }), RedisUnreachableError)
  await t.rejects(startAgent({ url: 'redis://127.0.0.1:1/0', queue: 'q', root: '/tmp', allowCommands: true, connectTimeout: 200 }),
    RedisUnreachableError)
})

t.test('a Redis that cannot be reached or never answers: exit 255 within --connect-timeout, saying why', async (t) => {
  // Port 1: nothing listens, so each try is refused; the connection would retry for ever.
  const started = Date.now()
  const refused = await run([...BASE, '--name', 'box-r', '--connect-timeout', '300'])
  t.equal(refused.code, 255)
  t.match(refused.stderr, /^forkpool worker: agent box-r: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0: connect ECONNREFUSED/)
  t.ok(Date.now() - started < 5000, 'well before the 10 s default')
  // A good --tasks-per-worker (both pools' concurrentTasksPerWorker) passes startAgent()'s checks: the refusal is Redis's.
  const pooled = await run([...BASE, '--name', 'box-t', '--tasks-per-worker', '4', '--connect-timeout', '300'])
  t.equal(pooled.code, 255)
  t.match(pooled.stderr, /^forkpool worker: agent box-t: cannot reach Redis at /)

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
  t.ok(await eventually(() => closed === sockets.length, 2000, 20), 'and closed its connection when it gave up')
})
