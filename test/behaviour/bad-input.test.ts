// One test per row of the README's "Bad input" table: what each bad input gets.
import t from 'tap'
import { ForkManager, ManagerClosedError } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'

const fixture = (name: string) => new URL(`../fixtures/workers/${name}`, import.meta.url)
const pm = manager(t)
const resultOf = async (job: Parameters<ForkManager['start']>[1]) => (await pm.start('bad', job)).result

t.test('maxProcs negative, fractional, NaN: RangeError', async (t) => {
  for (const [maxProcs, shown] of [[-1, '-1'], [1.5, '1\\.5'], [NaN, 'NaN']] as const) {
    t.throws(() => new ForkManager({ maxProcs }), {
      name: 'RangeError', message: new RegExp(`^maxProcs must be a whole number >= 0, got ${shown}$`),
    })
  }
})

t.test('maxProcs not a number: TypeError', async (t) => {
  t.throws(() => new ForkManager({ maxProcs: '4' as never }), {
    name: 'TypeError', message: 'maxProcs must be a whole number >= 0, got ' +
    '"4"'
  })
})

t.test('an unparseable timeout or killGrace: RangeError', async (t) => {
  t.throws(() => new ForkManager({ timeout: '10 minutes' }), { name: 'RangeError', message: /timeout "10 minutes" is not a duration/ })
  await t.rejects(pm.start('x', { command: 'true' }, { killGrace: '5000' }), { name: 'RangeError', message: /add a unit/ })
})

t.test('a job that is neither a command nor a worker: TypeError', async (t) => {
  await t.rejects(pm.start('x', { program: 'ls' } as never), {
    name: 'TypeError', message: 'a job needs a command or a worker, got an object with keys [program]',
  })
})

t.test('an unknown option: TypeError naming it, with where it belongs or its closest spelling', async (t) => {
  t.throws(() => new ForkManager({ maxprocs: 4 } as never), {
    name: 'TypeError', message: '"maxprocs" is not a ForkManager option; did you mean maxProcs?',
  })
  t.throws(() => new ForkManager({ maxTasksPerWorker: 5 } as never), {
    name: 'TypeError', message: /^"maxTasksPerWorker" is not a ForkManager option; did you mean processPool.maxTasksPerWorker\?$/,
  })
  await t.rejects(pm.start('x', { command: 'true' }, { cwd: '/' } as never), {
    name: 'TypeError', message: `"cwd" is not a start() option; did you mean the job's cwd?`,
  })
  t.throws(() => new ForkManager({ frobnicate: 1 } as never), {
    name: 'TypeError', message: /^"frobnicate" is not a ForkManager option; it takes maxProcs, timeout, /,
  })
})

t.test('an unknown job option: TypeError naming it', async (t) => {
  await t.rejects(pm.start('x', { worker: worker('square'), isloation: 'thread' } as never), {
    name: 'TypeError', message: 'a worker job has no option "isloation"; did you mean isolation?',
  })
  await t.rejects(pm.start('x', { command: 'true', timeout: '1s' } as never), {
    name: 'TypeError', message: 'a command job has no option "timeout"; did you mean the start() option timeout?',
  })
  await t.rejects(pm.start('x', { worker: worker('square'), frobnicate: 1 } as never), {
    name: 'TypeError', message: /; it takes worker, data, /,
  })
})

t.test('an unknown isolation: RangeError', async (t) => {
  await t.rejects(pm.start('x', { worker: worker('square'), isolation: 'cluster' } as never), {
    name: 'RangeError', message: /job.isolation must be one of 'process', 'process-pool', 'thread', got "cluster"/,
  })
})

t.test('ident not a string: TypeError', async (t) => {
  await t.rejects(pm.start({ id: 1 } as never, { command: 'true' }), {
    name: 'TypeError', message: 'start() ident must be a string, got an object',
  })
})

t.test('non-serializable data: TypeError at start', async (t) => {
  await t.rejects(pm.start('x', { worker: worker('square'), data: { callback: () => 1 } }), {
    name: 'TypeError', message: /job.data cannot be sent to a worker \(structured clone failed/,
  })
})

t.test('huge data: delivered (64 MB to a process and to a thread)', async (t) => {
  const data = new Uint8Array(64 * 1024 * 1024)
  t.match(await resultOf({ worker: fixture('echo-size.mjs'), data }), { exitCode: 0, data: data.byteLength })
  t.match(await resultOf({ worker: fixture('echo-size.mjs'), data, isolation: 'thread' }), { exitCode: 0, data: data.byteLength })
})

t.test('a missing worker file: result, exit code 1, WorkerLoadError naming the file', async (t) => {
  t.match(await resultOf({ worker: fixture('missing.mjs') }), {
    exitCode: 1, pid: null, error: {
      name: 'WorkerLoadError', code: 'ERR_FORKPOOL_WORKER_LOAD', message: /worker file .*missing\.mjs does not exist/,
    },
  })
})

t.test('an unreadable worker file (a directory here: as root every file is readable): result, exit code 1', async (t) => {
  t.match(await resultOf({ worker: fixture('') }), {
    exitCode: 1, error: { code: 'ERR_FORKPOOL_WORKER_LOAD', message: /failed to load: Error \[ERR_UNSUPPORTED_DIR_IMPORT\]/ },
  })
})

t.test('a worker file with a syntax error: result, exit code 1, WorkerLoadError naming the file and line', async (t) => {
  t.match(await resultOf({ worker: fixture('syntax-error.mjs'), isolation: 'thread' }), {
    exitCode: 1, error: {
      name: 'WorkerLoadError', message: /worker file .*syntax-error\.mjs failed to load: SyntaxError: .* \(line \d+\)$/,
    },
  })
})

t.test('a worker file with no default export: result, exit code 1, WorkerLoadError', async (t) => {
  t.match(await resultOf({ worker: fixture('no-default.mjs') }), {
    exitCode: 1, error: { name: 'WorkerLoadError', message: /must default-export a function.*is undefined/ },
  })
})

t.test('a default export that is not a function: result, exit code 1, WorkerLoadError', async (t) => {
  t.match(await resultOf({ worker: fixture('default-not-function.mjs'), isolation: 'thread' }), {
    exitCode: 1, error: { name: 'WorkerLoadError', message: /its default export is an object/ },
  })
})

t.test('a worker URL that is not a file: URL: RangeError', async (t) => {
  await t.rejects(pm.start('x', { worker: 'https://example.com/w.js' }), {
    name: 'RangeError', message: /job.worker must be a path or a file: URL/,
  })
})

t.test('close() twice: the same promise, no error', async (t) => {
  const local = new ForkManager()
  t.equal(local.close(), local.close())
  await local.close()
})

t.test('start() after close(): ManagerClosedError', async (t) => {
  const local = new ForkManager()
  await local.close()
  await t.rejects(local.start('late', { command: 'true' }), {
    name: 'ManagerClosedError', code: ManagerClosedError.code, message: 'ForkManager is closed: cannot start "late" after close()',
  })
})

t.test('inside a worker file, finish() with a bad exit code: result, exit code 1, RangeError', async (t) => {
  t.match(await resultOf({ worker: fixture('bad-finish.mjs') }), {
    exitCode: 1, error: { name: 'RangeError', message: /finish\(\) exit code must be a whole number >= 0 and <= 255, got 300/ },
  })
})

t.test('inside a worker file, a ForkManager of its own: works', async (t) => {
  t.match(await resultOf({ worker: fixture('nested.mjs'), data: ['Fred', 'Wilma'] }), { exitCode: 0, data: [4, 5] })
})
