import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { CLI, forkpool, type CliRun } from '../helpers/cli.js'
import { startAgent, startRedis } from '../helpers/redis.js'

/** `forkpool …` with extra environment variables and node flags. */
function forkpoolWith(args: string[], env: Record<string, string | undefined>, nodeArgs: string[] = []): Promise<CliRun> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
}

const NO_BULLMQ = ['--import', new URL('../fixtures/no-bullmq.mjs', import.meta.url).pathname]

t.test('usage errors: --redis without --queue, --queue without a URL, --line-buffer/--ungroup with --redis', async (t) => {
  const noQueue = await forkpool(['--redis', 'redis://127.0.0.1:1/0', 'true', ':::', 'a'])
  t.equal(noQueue.code, 255)
  t.match(noQueue.stderr, /--redis needs --queue NAME/)
  const noUrl = await forkpoolWith(['--queue', 'q', 'true', ':::', 'a'], { FORKPOOL_REDIS_URL: undefined })
  t.equal(noUrl.code, 255)
  t.match(noUrl.stderr, /--queue needs --redis URL, or FORKPOOL_REDIS_URL/)
  const emptyUrl = await forkpoolWith(['--queue', 'q', 'true', ':::', 'a'], { FORKPOOL_REDIS_URL: '' })
  t.match(emptyUrl.stderr, /--queue needs --redis URL, or FORKPOOL_REDIS_URL/, 'an empty FORKPOOL_REDIS_URL is none')
  for (const grouping of ['--line-buffer', '--ungroup']) {
    const run = await forkpool(['--redis', 'redis://127.0.0.1:1/0', '--queue', 'q', grouping, 'true', ':::', 'a'])
    t.equal(run.code, 255, grouping)
    t.match(run.stderr, /not with --redis/, grouping)
  }
  const badUrl = await forkpool(['--redis', 'http://x', '--queue', 'q', 'true', ':::', 'a'])
  t.equal(badUrl.code, 255)
  t.match(badUrl.stderr, /redisBackend\(\) url .*must be a URL such as redis:\/\//)
})

t.test('BullMQ is loaded only by a run with --redis', async (t) => {
  // FORKPOOL_REDIS_URL alone does not send the jobs away: the agents' machines set it too.
  const local = await forkpoolWith(['echo', ':::', 'here'], { FORKPOOL_REDIS_URL: 'redis://127.0.0.1:1/0' }, NO_BULLMQ)
  t.equal(local.code, 0, local.stderr)
  t.equal(local.stdout, 'here\n')
  // The same hook fails a run that does load it: the check above can fail.
  const remote = await forkpoolWith(['--redis', 'redis://127.0.0.1:1/0', '--queue', 'q', 'echo', ':::', 'x'], {}, NO_BULLMQ)
  t.equal(remote.code, 255)
  t.match(remote.stderr, /no-bullmq hook: (bullmq|ioredis) was imported/)
})

t.test('the producer CLI runs the jobs on two agents; the joblog names the agent in its Host column', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'cli1', 'box-1', ['--allow-commands'])
  await startAgent(t, redis.url, 'cli1', 'box-2', ['--allow-commands'])
  const dir = t.testdir()
  const words = Array.from({ length: 12 }, (_, i) => `w${i}`)
  const run = await forkpool(['--redis', redis.url, '--queue', 'cli1', '-j', '8', '-k', '--joblog', `${dir}/log`, 'sh', '-c',
    'sleep 0.2; echo $0', ':::', ...words])
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, words.map((w) => `${w}\n`).join(''), 'every job once, in order (-k)')
  const rows = readFileSync(`${dir}/log`, 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'))
  t.equal(rows.length, 12)
  t.same(new Set(rows.map((row) => row[1])), new Set(['box-1', 'box-2']), 'both agents ran jobs, each named')
  // FORKPOOL_REDIS_URL gives the URL to --queue.
  const fromEnv = await forkpoolWith(['--queue', 'cli1', 'echo', ':::', 'env'], { FORKPOOL_REDIS_URL: redis.url })
  t.equal(fromEnv.code, 0, fromEnv.stderr)
  t.equal(fromEnv.stdout, 'env\n')
})

t.test('--retries, --halt and --resume work through Redis', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'cli2', 'box-1', ['--allow-commands'])
  await startAgent(t, redis.url, 'cli2', 'box-2', ['--allow-commands'])
  const remote = ['--redis', redis.url, '--queue', 'cli2']
  const dir = t.testdir()
  // The agents share this machine's disk: each try appends a line; the job succeeds on its third.
  const retried = await forkpool([...remote, '--retries', '3', 'sh', '-c', `echo x >> ${dir}/tries; test $(wc -l < ${dir}/tries) -ge 3`,
    ':::', 'job'])
  t.equal(retried.code, 0, retried.stderr)
  t.equal(readFileSync(`${dir}/tries`, 'utf8'), 'x\nx\nx\n', 'three tries in all')

  // --halt now,fail=1: the failing job stops the sleeping ones on the agents.
  const started = Date.now()
  const halted = await forkpool([...remote, '-j', '4', '--halt', 'now,fail=1', 'sh', '-c',
    'if [ $0 = bad ]; then sleep 0.5; exit 3; fi; sleep 30', ':::', 'a', 'b', 'bad', 'c'])
  t.equal(halted.code, 3, halted.stderr)
  t.match(halted.stderr, /--halt reached at job 3/)
  t.ok(Date.now() - started < 20_000, 'the sleeping jobs were stopped, not waited for')

  // --resume-failed: the logged successes are skipped, the failure runs again.
  writeFileSync(`${dir}/flag`, '')
  const job = `echo $0 >> ${dir}/ran; test $0 != b || test -s ${dir}/flag`
  const first = await forkpool([...remote, '--joblog', `${dir}/log`, 'sh', '-c', job, ':::', 'a', 'b', 'c'])
  t.equal(first.code, 1)
  writeFileSync(`${dir}/flag`, 'now b succeeds')
  const resumed = await forkpool([...remote, '--joblog', `${dir}/log`, '--resume-failed', 'sh', '-c', job, ':::', 'a', 'b', 'c'])
  t.equal(resumed.code, 0, resumed.stderr)
  t.same(readFileSync(`${dir}/ran`, 'utf8').trim().split('\n').sort(), ['a', 'b', 'b', 'c'], 'only b ran again')
})
