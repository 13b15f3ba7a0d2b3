// Parity: each row of the "what happens" table in docs/jobs.md, run locally and through Redis on
// an agent, gives the same JobResult but for where and when it ran (host, pid, attempts, jobId,
// startedAt, durationMs) and an error's stack. The thread row is left out: an agent runs every
// worker job in a process of its own.
import t from 'tap'
import { ForkManager, type JobResult, type JobSpec, type StartOptions } from '../../dist/lib/index.js'
import { redisBackend } from '../../dist/lib/remote/index.js'
import { worker } from '../helpers/paths.js'
import { startAgent, startRedis } from '../helpers/redis.js'

const REPO = new URL('../../', import.meta.url).pathname
const fixture = (name: string): string => new URL(`../fixtures/workers/${name}`, import.meta.url).pathname
const faults = worker('faults')

const ROWS: Array<[string, JobSpec, StartOptions?]> = [
  ['worker returns v', { worker: worker('echo-data'), data: new Map([['n', 10n], ['d', new Date(0)]]) }],
  ['worker returns finish(3, v)', { worker: faults, data: { mode: 'finish', code: 3, value: 'v' } }],
  ['worker throws', { worker: faults, data: { mode: 'throw' } }],
  ['process.exit(9) in a worker', { worker: faults, data: { mode: 'exit', code: 9 } }],
  ['worker process killed by SIGSEGV', { worker: faults, data: { mode: 'kill', signal: 'SIGSEGV' } }],
  ['worker file missing', { worker: fixture('missing.mjs') }],
  ['worker file with a syntax error', { worker: fixture('syntax-error.mjs') }],
  ['worker file with no default export', { worker: fixture('no-default.mjs') }],
  ['result cannot be cloned', { worker: faults, data: { mode: 'uncloneable' } }],
  ['command exits 2', { command: 'sh', args: ['-c', 'exit 2'] }],
  ['command not found', { command: 'no-such-command-forkpool' }],
  ['command with capture', { command: 'sh', args: ['-c', 'echo out; echo err >&2'], capture: true }],
  ['timed out, stopped by TERM', { command: 'sleep', args: ['30'] }, { timeout: '500ms' }],
  ['timed out, worker listened and threw AbortError', { worker: faults, data: { mode: 'hang' } }, { timeout: '8s' }],
  // A start that throws (an env var past the 128 KiB a string may have): a failed result, as locally.
  ['command whose spawn fails (E2BIG)', { command: 'true', env: { HUGE: 'x'.repeat(200_000) } }],
  ['worker process whose spawn fails (E2BIG)', { worker: worker('noop'), isolation: 'process', env: { HUGE: 'x'.repeat(200_000) } }],
]

/** The fields that must agree: all but where and when it ran. */
function comparable(r: JobResult): Record<string, unknown> {
  const { host: _h, pid: _p, attempts: _a, jobId: _j, startedAt: _s, durationMs: _d, ...rest } = r
  return { ...rest, error: r.error === null ? null : { ...r.error, stack: undefined } }
}

t.test('every row of the JobResult table: the same result locally and remotely', async (t) => {
  const redis = await startRedis(t)
  await startAgent(t, redis.url, 'par', 'box-1', ['--allow-commands', '--root', REPO, '-j', '8'])
  const local = new ForkManager({ maxProcs: 8 })
  const remote = new ForkManager({ maxProcs: 8, backend: redisBackend({ url: redis.url, queue: 'par' }) })
  t.teardown(() => Promise.all([local.shutdown({ grace: 500 }), remote.shutdown({ grace: 500 })]))
  const run = (pm: ForkManager) => Promise.all(ROWS.map(async ([ident, spec, options]) => (await pm.start(ident, spec, options)).result))
  const [here, there] = await Promise.all([run(local), run(remote)])
  ROWS.forEach(([ident], i) => {
    t.same(comparable(there[i]!), comparable(here[i]!), ident)
    t.equal(there[i]!.host, 'box-1')
  })
})

t.test('cancelled while waiting: for a slot locally, in Redis remotely', async (t) => {
  const redis = await startRedis(t)
  // No agent: the remote job waits in Redis.
  const local = new ForkManager({ maxProcs: 1 })
  const remote = new ForkManager({ maxProcs: 1, backend: redisBackend({ url: redis.url, queue: 'parw' }) })
  t.teardown(() => Promise.all([local.shutdown({ grace: 500 }), remote.shutdown({ grace: 500 })]))
  const blocker = await local.start('blocker', { command: 'sleep', args: ['30'] })
  const waitingHere = local.start('w', { command: 'true' })
  const waitingThere = await remote.start('w', { command: 'true' })
  local.cancel('w')
  waitingThere.cancel()
  const [here, there] = [await (await waitingHere).result, await waitingThere.result]
  t.same(comparable(there), comparable(here))
  t.match(there, { pid: null, attempts: 0, cancelled: true })
  blocker.cancel()
})
