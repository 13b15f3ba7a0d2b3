import t from 'tap'
import { manager } from './helpers/manager.js'
import { cpSync, existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  AbortError,
  AmbiguousJobError,
  ChannelClosedError,
  DataCloneError,
  DataTooLargeError,
  ForkManager,
  ForkpoolError,
  ManagerClosedError,
  MaxBufferError,
  OverlapError,
  WorkerExitError,
  WorkerLostError,
  JobLostError,
  WorkerLoadError,
  WorkerStartError,
} from '../dist/lib/index.js'
import { CALLBACK_WARNING, emitForkpoolWarning, jobError, LOGGER_WARNING } from '../dist/lib/errors.js'
import { CAUSE_DEPTH, reviveCause, serializeError } from '../dist/lib/util/serialize-error.js'
import { worker } from './helpers/paths.js'
import { eventually } from './helpers/wait.js'

type Errors = typeof import('../dist/lib/errors.js')
const fixture = (name: string) => new URL(`fixtures/workers/${name}`, import.meta.url)

/** Each error class with its name and code, and how to make one, for a given copy of the module. */
function classesOf(errors: Errors) {
  return [
    {
      Class: errors.ManagerClosedError, name: 'ManagerClosedError', code: 'ERR_FORKPOOL_CLOSED',
      make: () => new errors.ManagerClosedError('closed'),
    },
    {
      Class: errors.OverlapError, name: 'OverlapError', code: 'ERR_FORKPOOL_OVERLAP', make: () => new errors.OverlapError('report', 'one'),
    },
    {
      Class: errors.AmbiguousJobError, name: 'AmbiguousJobError', code: 'ERR_FORKPOOL_AMBIGUOUS_JOB',
      make: () => new errors.AmbiguousJobError('twins'),
    },
    {
      Class: errors.ChannelClosedError, name: 'ChannelClosedError', code: 'ERR_FORKPOOL_CHANNEL_CLOSED',
      make: () => new errors.ChannelClosedError('closed'),
    },
    {
      Class: errors.DataTooLargeError, name: 'DataTooLargeError', code: 'ERR_FORKPOOL_DATA_TOO_LARGE',
      make: () => new errors.DataTooLargeError('too big', 10, 5),
    },
    {
      Class: errors.WorkerStartError, name: 'WorkerStartError', code: 'ERR_FORKPOOL_WORKER_START',
      make: () => new errors.WorkerStartError('no start'),
    },
    {
      Class: errors.WorkerExitError, name: 'WorkerExitError', code: 'ERR_FORKPOOL_WORKER_EXIT',
      make: () => new errors.WorkerExitError('died'),
    },
    {
      Class: errors.MaxBufferError, name: 'MaxBufferError', code: 'ERR_FORKPOOL_MAX_BUFFER',
      make: () => new errors.MaxBufferError('too much'),
    },
    {
      Class: errors.DataCloneError, name: 'DataCloneError', code: 'ERR_FORKPOOL_DATA_CLONE',
      make: () => new errors.DataCloneError('no clone'),
    },
    { Class: errors.AbortError, name: 'AbortError', code: 'ERR_FORKPOOL_ABORTED', make: () => new errors.AbortError('stopped') },
    {
      Class: errors.WorkerLostError, name: 'WorkerLostError', code: 'ERR_FORKPOOL_WORKER_LOST',
      make: () => new errors.WorkerLostError('agent gone'),
    },
    { Class: errors.JobLostError, name: 'JobLostError', code: 'ERR_FORKPOOL_JOB_LOST', make: () => new errors.JobLostError('vanished') },
    {
      Class: errors.WorkerLoadError, name: 'WorkerLoadError', code: 'ERR_FORKPOOL_WORKER_LOAD',
      make: () => new errors.WorkerLoadError('no load'),
    },
  ]
}

const errors = await import('../dist/lib/errors.js')
const classes = classesOf(errors)

t.test('the index exports the classes of lib/errors.ts', async (t) => {
  const index = {
    AbortError, AmbiguousJobError, ChannelClosedError, DataCloneError, DataTooLargeError, ForkpoolError, ManagerClosedError, MaxBufferError,
    OverlapError, WorkerExitError, WorkerLostError, JobLostError, WorkerLoadError, WorkerStartError,
  }
  for (const [name, Class] of Object.entries(index)) t.equal(Class, errors[name as keyof Errors], name)
})

t.test('each class: its name and code, static and on the instance; instanceof its class, ForkpoolError and Error, ' +
  'and no other', async (t) => {
  t.equal(new Set(classes.map((c) => c.code)).size, classes.length, 'every code is its own')
  for (const { Class, name, code, make } of classes) {
    const error = make()
    t.equal(Class.code, code, `${name}.code`)
    t.equal(error.code, code, `a ${name}'s code`)
    t.equal(error.name, name)
    t.equal(String(error).split(':')[0], name, 'the name shows in its string form')
    t.ok(error instanceof Class, `instanceof ${name}`)
    t.ok(error instanceof ForkpoolError, `a ${name} is a ForkpoolError`)
    t.ok(error instanceof Error, `a ${name} is an Error`)
    for (const other of classes) if (other.Class !== Class) t.notOk(error instanceof other.Class, `a ${name} is not a ${other.name}`)
  }
})

t.test('ForkpoolError, the base: its own code, and not an instance of any subclass', async (t) => {
  const base = new ForkpoolError('base', { cause: 'why' })
  t.equal(ForkpoolError.code, 'ERR_FORKPOOL')
  t.match(base, { name: 'ForkpoolError', code: 'ERR_FORKPOOL', message: 'base', cause: 'why' })
  t.ok(base instanceof ForkpoolError)
  t.ok(base instanceof Error)
  for (const { Class, name } of classes) t.notOk(base instanceof Class, `not a ${name}`)
})

t.test('instanceof needs the brand: look-alikes and non-objects are not forkpool errors', async (t) => {
  const lookalike = Object.assign(new Error('died'), { name: 'WorkerExitError', code: WorkerExitError.code })
  t.notOk(lookalike instanceof WorkerExitError)
  t.notOk(lookalike instanceof ForkpoolError)
  t.notOk({ code: WorkerExitError.code } instanceof WorkerExitError)
  for (const value of [null, undefined, 'WorkerExitError', 42]) t.notOk((value as unknown) instanceof ForkpoolError, String(value))
})

t.test('DataTooLargeError is a RangeError (a value out of range) with the sizes, and a ForkpoolError by its brand', async (t) => {
  const error = new DataTooLargeError('job "big": 10 bytes, over 5', 10, 5, { cause: 'why' })
  t.ok(error instanceof RangeError)
  t.ok(error instanceof ForkpoolError)
  t.match(error, {
    name: 'DataTooLargeError', code: 'ERR_FORKPOOL_DATA_TOO_LARGE', message: 'job "big": 10 bytes, over 5', bytes: 10, limit: 5,
    cause: 'why',
  })
  t.equal(String(error), 'DataTooLargeError: job "big": 10 bytes, over 5')
  t.notOk(new RangeError('x') instanceof DataTooLargeError, 'a plain RangeError is not one')
  t.notOk(Object.assign(new RangeError('x'), { code: DataTooLargeError.code }) instanceof DataTooLargeError, 'nor a look-alike without ' +
    'the brand')
})

t.test('serializeError keeps the cause: an Error\'s serialized in turn, another value as a clone', async (t) => {
  const inner = Object.assign(new TypeError('inner', { cause: { attempt: 2, at: new Date(0) } }), { code: 'E_INNER' })
  const out = serializeError(new Error('outer', { cause: inner }))
  t.match(out, {
    name: 'Error', message: 'outer', cause: {
      name: 'TypeError', message: 'inner', code: 'E_INNER', stack: /^TypeError: inner/, cause: { attempt: 2 },
    },
  })
  t.ok((out.cause as { cause: { at: unknown } }).cause.at instanceof Date, 'a cloneable value keeps its kind')
  t.same(structuredClone(out), out, 'the whole of it can be cloned')
  t.equal(serializeError(new Error('x', { cause: 'a string' })).cause, 'a string')
  t.equal(serializeError(new Error('x', { cause: null })).cause, null)
  t.equal(serializeError(new Error('x', { cause: { f: () => 1 } })).cause, 'an object', 'a value that cannot be cloned is described')
  t.notOk('cause' in serializeError(new Error('no cause')), 'no cause, no field')
  t.notOk('cause' in serializeError(new Error('x', { cause: undefined })), 'an undefined cause: no field')
})

t.test('serializeError follows a chain CAUSE_DEPTH deep at most, so a cycle ends', async (t) => {
  const looped = new Error('loop')
  looped.cause = looped
  let out: unknown = serializeError(looped)
  let depth = 0
  while ((out as { cause?: unknown }).cause !== undefined) {
    out = (out as { cause: unknown }).cause
    depth++
  }
  t.equal(depth, CAUSE_DEPTH)
  t.same(structuredClone(serializeError(looped)), serializeError(looped))
})

t.test('reviveCause makes a serialized cause an error again, with its name, code, stack and cause', async (t) => {
  const original = new Error('outer', { cause: Object.assign(new TypeError('inner', { cause: 'root' }), { code: 'E_INNER' }) })
  const revived = reviveCause(serializeError(original).cause) as Error & { code?: string }
  t.ok(revived instanceof Error)
  t.match(revived, { name: 'TypeError', message: 'inner', code: 'E_INNER', cause: 'root' })
  t.equal(revived.stack, (original.cause as Error).stack)
  t.equal(reviveCause('text'), 'text', 'another value as it is')
  t.same(reviveCause({ attempt: 2 }), { attempt: 2 }, 'an object that is not an error as it is')
  t.equal(reviveCause(null), null)
})

t.test('a worker\'s error with a cause: the JobResult keeps the chain, in every isolation', async (t) => {
  const pm = manager(t, { maxProcs: 2 })
  for (const isolation of ['process', 'process-pool', 'thread'] as const) {
    const result = await (await pm.start('caused', { worker: fixture('throws-with-cause.mjs'), isolation })).result
    t.match(result.error, {
      name: 'Error', message: 'outer', cause: { name: 'TypeError', message: 'inner', code: 'E_INNER', cause: { attempt: 2 } },
    }, isolation)
  }
})

t.test('OverlapError keeps the name of the job in flight and names the older ident', async (t) => {
  t.match(new OverlapError('report', 'one'), {
    jobName: 'report', message: `job "report" is already in flight (ident "one"); onOverlap 'reject-new' refuses a second start`,
  })
})

t.test('results carry name and code as plain data: serializeError and jobError', async (t) => {
  for (const { Class, name, code, make } of classes) {
    t.match(serializeError(make()), { name, code, message: String, stack: String })
    t.same(jobError(Class, 'why'), { name, code, message: 'why' }, `jobError(${name})`)
  }
})

t.test('emitForkpoolWarning: an Error as it is, anything else wrapped, with the type given', async (t) => {
  const warnings: Error[] = []
  const onWarning = (warning: Error) => warnings.push(warning)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  const thrown = new Error('callback broke')
  emitForkpoolWarning(thrown, CALLBACK_WARNING)
  emitForkpoolWarning('bare', LOGGER_WARNING)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(warnings[0], thrown)
  t.match(warnings[1], { name: 'Error', message: 'bare' })
  t.same([CALLBACK_WARNING, LOGGER_WARNING], ['ForkpoolCallbackWarning', 'ForkpoolLoggerWarning'])
})

t.test('across two loaded copies of the module, each recognises the other\'s errors', async (t) => {
  // A query string makes a separate module instance of the same file: a second copy of forkpool's errors.
  const copy = await import(new URL('../dist/lib/errors.js?copy=2', import.meta.url).href) as Errors
  t.not(copy.ForkpoolError, errors.ForkpoolError, 'a separate copy, with classes of its own')
  const theirs = classesOf(copy)
  classes.forEach(({ Class, name, make }, i) => {
    const other = theirs[i]!
    t.ok(other.make() instanceof Class, `the copy's ${name} is an instance of ours`)
    t.ok(make() instanceof other.Class, `our ${name} is an instance of the copy's`)
    t.ok(other.make() instanceof errors.ForkpoolError, `the copy's ${name} is one of our ForkpoolErrors`)
    for (const another of classes) {
      if (another.Class !== Class) {
        t.notOk(other.make() instanceof another.Class,
      `the copy's ${name} is not our ${another.name}`)
      }
    }
  })
})

t.test('a nested manager in a worker, loaded as another copy of forkpool: its refusals are our classes', async (t) => {
  // A copy of the whole library at another path (inside the project, so its imports still find
  // node_modules), run inline in this process: its errors come back as the very objects it threw.
  const dir = t.testdir()
  cpSync(new URL('../dist/lib', import.meta.url), path.join(dir, 'lib'), { recursive: true, filter: (file) => !file.endsWith('.map') })
  const lib = pathToFileURL(path.join(dir, 'lib/index.js')).href
  const copy = (await import(lib)) as typeof import('../dist/lib/index.js')
  t.not(copy.ForkManager, ForkManager, 'the worker loads a copy of its own')

  const pm = manager(t, { maxProcs: 0 })
  const result = await (await pm.start('nested', { worker: fixture('nested-refusals.mjs'), data: { lib } })).result
  t.equal(result.exitCode, 0)
  const { overlap, closed } = result.data as { overlap: Error; closed: Error }
  t.ok(overlap instanceof copy.OverlapError, 'made by the copy')
  t.not(overlap.constructor, OverlapError, 'not by ours')
  t.ok(overlap instanceof OverlapError, 'yet our OverlapError recognises it')
  t.match(overlap, { name: 'OverlapError', code: OverlapError.code, jobName: 'only' })
  t.ok(closed instanceof ManagerClosedError)
  t.ok(closed instanceof ForkpoolError)
  t.notOk(closed instanceof OverlapError)
  t.match(closed, {
    name: 'ManagerClosedError', code: ManagerClosedError.code, message: 'ForkManager is closed: cannot start "late" after close()',
  })
})

t.test('a nested manager in a worker thread: its error crosses back as data with its name and code', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const lib = new URL('../dist/lib/index.js', import.meta.url).href
  const result = await (await pm.start('nested', {
    worker: fixture('nested-refusals.mjs'), data: { lib, rethrow: true }, isolation: 'thread',
  })).result
  t.match(result.error, {
    name: 'ManagerClosedError', code: ManagerClosedError.code, message: 'ForkManager is closed: cannot start "late" after close()',
  })
})

t.test('a closed manager: start() and serveStatus() reject with a ManagerClosedError', async (t) => {
  const pm = new ForkManager()
  await pm.close()
  const started = await pm.start('late', { command: 'true' }).catch((error: unknown) => error)
  t.ok(started instanceof ManagerClosedError)
  t.equal((started as ManagerClosedError).code, ManagerClosedError.code)
  await t.rejects(pm.serveStatus(), ManagerClosedError)
})

t.test('results carry codes', async (t) => {
  const pm = manager(t, { maxProcs: 2 })
  const resultOf = async (job: Parameters<ForkManager['start']>[1]) => (await pm.start('r', job)).result

  const crashed = await resultOf({ worker: worker('faults'), data: { mode: 'exit', code: 3 }, isolation: 'process-pool' })
  t.equal(crashed.error?.code, WorkerExitError.code, 'a pool worker process that exits mid-job: WorkerExitError')
  t.equal(crashed.error?.name, 'WorkerExitError')
  t.equal(crashed.exitCode, 3)

  const flood = await resultOf({ command: 'head', args: ['-c', '5000', '/dev/zero'], capture: true, maxBuffer: 100 })
  t.equal(flood.error?.code, MaxBufferError.code, 'a captured command past maxBuffer: MaxBufferError')
  t.equal(flood.error?.name, 'MaxBufferError')

  for (const isolation of ['process', 'process-pool', 'thread'] as const) {
    const uncloneable = await resultOf({ worker: worker('faults'), data: { mode: 'uncloneable' }, isolation })
    t.equal(uncloneable.error?.code, DataCloneError.code, `an uncloneable result (${isolation}): DataCloneError`)
    t.equal(uncloneable.error?.name, 'DataCloneError')
  }
})

t.test('a stopped job: ctx.signal is aborted with an AbortError, in every isolation', async (t) => {
  const dir = t.testdir()
  const stopOnceListening = async (pm: ForkManager, isolation: 'inline' | 'process' | 'process-pool' | 'thread') => {
    const listening = path.join(dir, isolation)
    const job = { worker: fixture('stop-reason.mjs'), data: { listening } }
    // Inline, start() resolves once the job has ended: it is cancelled by its ident meanwhile.
    const started = pm.start('polite', isolation === 'inline' ? job : { ...job, isolation })
    t.ok(await eventually(() => existsSync(listening), 15_000), `${isolation}: it listens`)
    t.equal(pm.cancel('polite', 'enough'), 1)
    return (await (await started).result).data as { reason: unknown; name: string; code: string; message: string }
  }

  const inline = manager(t, { maxProcs: 0 })
  const { reason } = await stopOnceListening(inline, 'inline')
  t.ok(reason instanceof AbortError, 'inline, the reason itself is an AbortError')
  t.match(reason, { name: 'AbortError', code: AbortError.code, message: 'job "polite" was asked to stop' })

  const pm = manager(t, { maxProcs: 2 })
  for (const isolation of ['process', 'process-pool', 'thread'] as const) {
    t.match(await stopOnceListening(pm, isolation), {
      name: 'AbortError', code: AbortError.code, message: /^job "polite" was asked to stop/,
    }, isolation)
  }
})
