// The checks of ForkManager, start() and shutdown() options (lib/manager/options.ts), called directly:
// settings with every default filled in, or a TypeError/RangeError naming the bad value or key.
import t from 'tap'
import { availableParallelism } from 'node:os'
import {
  checkManagerOptions, checkShutdownOptions, checkStartOptions, DEFAULT_KILL_GRACE_MS, DEFAULT_TIMEOUT_MS, NO_START_OPTIONS,
} from '../../dist/lib/manager/options.js'

const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

t.test('checkManagerOptions: the defaults', async (t) => {
  for (const settings of [checkManagerOptions(), checkManagerOptions({})]) {
    t.match(settings, {
      maxProcs: availableParallelism(), timeoutMs: DEFAULT_TIMEOUT_MS, killGraceMs: DEFAULT_KILL_GRACE_MS, onOverlap: 'cancel-old',
      handleSignals: false,
      processPool: { maxTasksPerWorker: Infinity, maxWorkerMemory: Infinity, idleTimeoutMs: 5_000, concurrentTasksPerWorker: 1 },
      threadPool: { maxTasksPerWorker: Infinity, idleTimeoutMs: 5_000, concurrentTasksPerWorker: 1 },
    })
  }
})

t.test('checkManagerOptions: what was given, checked', async (t) => {
  const settings = checkManagerOptions({
    maxProcs: 0, timeout: '2s', killGrace: 300, onOverlap: 'queue', logger, handleSignals: true, processPool: { idleTimeout: '1s' },
  })
  t.match(settings, {
    maxProcs: 0, timeoutMs: 2_000, killGraceMs: 300, onOverlap: 'queue', handleSignals: true, processPool: { idleTimeoutMs: 1_000 },
  })
  t.equal(settings.logger, logger)
})

t.test('checkManagerOptions: startDefaults are the manager\'s, frozen, without signal, name or label', async (t) => {
  const { startDefaults } = checkManagerOptions({ timeout: 1_000, killGrace: 20, onOverlap: 'allow' })
  t.same(startDefaults, { timeoutMs: 1_000, killGraceMs: 20, signal: undefined, name: undefined, label: undefined, onOverlap: 'allow' })
  t.ok(Object.isFrozen(startDefaults))
})

t.test('checkManagerOptions: bad values, naming them', async (t) => {
  t.throws(() => checkManagerOptions(null as never), { name: 'TypeError', message: 'ForkManager options must be an object, got null' })
  t.throws(() => checkManagerOptions({ maxProcs: -1 }), { name: 'RangeError', message: 'maxProcs must be a whole number >= 0, got -1' })
  t.throws(() => checkManagerOptions({ timeout: 'soon' }), { name: 'RangeError', message: /^timeout "soon" is not a duration/ })
  t.throws(() => checkManagerOptions({ killGrace: -1 }), { name: 'RangeError', message: /^killGrace/ })
  t.throws(() => checkManagerOptions({ onOverlap: 'drop' as never }), {
    name: 'RangeError', message: `onOverlap must be one of ` +
    `'cancel-old', 'reject-new', 'queue', 'allow', got "drop"`
  })
  t.throws(() => checkManagerOptions({ logger: {} as never }), {
    name: 'TypeError', message: /^logger must have debug, info, warn and error methods/,
  })
  t.throws(() => checkManagerOptions({ handleSignals: 'yes' as never }), {
    name: 'TypeError', message: 'handleSignals must be a boolean, ' +
    'got "yes"'
  })
  t.throws(() => checkManagerOptions({ processPool: 5 as never }), {
    name: 'TypeError', message: 'processPool options must be an object, ' +
    'got 5'
  })
})

t.test('checkManagerOptions: an unknown key, with where it belongs or its closest spelling', async (t) => {
  const refuses = (options: object, message: string): void => {
    t.throws(() => checkManagerOptions(options), { name: 'TypeError', message }, message)
  }
  refuses({ maxProcs: 2, maxTasksPerWorker: 5 },
    '"maxTasksPerWorker" is not a ForkManager option; did you mean processPool.maxTasksPerWorker?')
  refuses({ maxprocs: 4 }, '"maxprocs" is not a ForkManager option; did you mean maxProcs?')
  refuses({ handleSignal: true }, '"handleSignal" is not a ForkManager option; did you mean handleSignals?')
  refuses({ isolation: 'thread' }, '"isolation" is not a ForkManager option; did you mean the job\'s isolation?')
  refuses({ name: 'nightly' }, '"name" is not a ForkManager option; did you mean the start() option name?')
  refuses({ frobnicate: 1 },
    '"frobnicate" is not a ForkManager option; it takes maxProcs, timeout, killGrace, onOverlap, logger, processPool, handleSignals')
})

t.test('checkManagerOptions: an unknown processPool key gets its closest spelling', async (t) => {
  t.throws(() => checkManagerOptions({ processPool: { idleTimout: '1s' } as never }), {
    name: 'TypeError', message: '"idleTimout" is not a processPool option; did you mean idleTimeout?',
  })
})

const defaults = checkManagerOptions({ timeout: 1_000, killGrace: 20 }).startDefaults

t.test('checkStartOptions: no options, undefined, {} or only undefined values: the defaults themselves', async (t) => {
  t.equal(checkStartOptions(NO_START_OPTIONS, defaults), defaults)
  t.equal(checkStartOptions(undefined, defaults), defaults)
  t.equal(checkStartOptions({}, defaults), defaults)
  t.equal(checkStartOptions({ timeout: undefined, label: undefined }, defaults), defaults)
})

t.test('checkStartOptions: what was given, checked, the defaults for the rest', async (t) => {
  const signal = new AbortController().signal
  t.same(checkStartOptions({ timeout: '3s', killGrace: 5, signal, name: 'n', label: '', onOverlap: 'queue' }, defaults), {
    timeoutMs: 3_000, killGraceMs: 5, signal, name: 'n', label: '', onOverlap: 'queue',
  })
  t.same(checkStartOptions({ name: 'n' }, defaults), {
    timeoutMs: 1_000, killGraceMs: 20, signal: undefined, name: 'n', label: undefined, onOverlap: 'cancel-old',
  })
  t.same(checkStartOptions({ timeout: Infinity }, defaults), { ...defaults, timeoutMs: Infinity })
})

t.test('checkStartOptions: an inherited unknown key is not refused, an inherited known one is read', async (t) => {
  const options = Object.create({ frobnicate: 1, timeout: 50 }) as { label?: string }
  options.label = 'l'
  t.match(checkStartOptions(options, defaults), { label: 'l', timeoutMs: 50 })
})

t.test('checkStartOptions: bad values, naming them', async (t) => {
  t.throws(() => checkStartOptions(null as never, defaults), { name: 'TypeError', message: 'start() options must be an object, got null' })
  t.throws(() => checkStartOptions([] as never, defaults), {
    name: 'TypeError', message: 'start() options must be an object, got an array of 0',
  })
  t.throws(() => checkStartOptions({ timeout: 'later' }, defaults), { name: 'RangeError', message: /^timeout "later" is not a duration/ })
  t.throws(() => checkStartOptions({ killGrace: '5000' }, defaults), { name: 'RangeError', message: /^killGrace .*add a unit/ })
  t.throws(() => checkStartOptions({ signal: {} as never }, defaults), {
    name: 'TypeError', message: 'start() signal must be an ' +
    'AbortSignal, got an object'
  })
  t.throws(() => checkStartOptions({ name: '' }, defaults), {
    name: 'RangeError', message: 'start() name must be a non-empty string, got ' +
    '""'
  })
  t.throws(() => checkStartOptions({ label: 3 as never }, defaults), {
    name: 'TypeError', message: 'start() label must be a string, got ' +
    '3'
  })
  t.throws(() => checkStartOptions({ onOverlap: 'never' as never }, defaults), {
    name: 'RangeError', message: `start() onOverlap must be ` +
    `one of 'cancel-old', 'reject-new', 'queue', 'allow', got "never"`
  })
})

t.test('checkStartOptions: an unknown key, with where it belongs or its closest spelling', async (t) => {
  const refuses = (options: object, message: string): void => {
    t.throws(() => checkStartOptions(options, defaults), { name: 'TypeError', message }, message)
  }
  refuses({ timout: '1s' }, '"timout" is not a start() option; did you mean timeout?')
  refuses({ cwd: '/tmp' }, '"cwd" is not a start() option; did you mean the job\'s cwd?')
  refuses({ isolation: 'thread' }, '"isolation" is not a start() option; did you mean the job\'s isolation?')
  refuses({ maxProcs: 2 }, '"maxProcs" is not a start() option; did you mean the ForkManager option maxProcs?')
  refuses({ idleTimeout: '1s' }, '"idleTimeout" is not a start() option; did you mean the ForkManager option processPool.idleTimeout?')
  refuses({ label: 'ok', frobnicate: 1 },
    '"frobnicate" is not a start() option; it takes timeout, killGrace, signal, name, onOverlap, label')
})

t.test('checkShutdownOptions: the defaults, and what was given', async (t) => {
  t.same(checkShutdownOptions(undefined, 40), { signal: 'SIGTERM', graceMs: 40 })
  t.same(checkShutdownOptions({}, 40), { signal: 'SIGTERM', graceMs: 40 })
  t.same(checkShutdownOptions({ signal: 'SIGINT', grace: '1s' }, 40), { signal: 'SIGINT', graceMs: 1_000 })
})

t.test('checkShutdownOptions: bad values and unknown keys', async (t) => {
  t.throws(() => checkShutdownOptions(7 as never, 40), { name: 'TypeError', message: 'shutdown() options must be an object, got 7' })
  t.throws(() => checkShutdownOptions({ signal: 'SIGNOPE' as never }, 40), {
    name: 'RangeError', message: `shutdown() signal must be a ` +
    `signal name such as 'SIGTERM', got "SIGNOPE"`
  })
  t.throws(() => checkShutdownOptions({ signal: 9 as never }, 40), {
    name: 'TypeError', message: `shutdown() signal must be a signal name such as 'SIGTERM', got 9`,
  })
  t.throws(() => checkShutdownOptions({ grace: 'a while' }, 40), { name: 'RangeError', message: /^grace "a while" is not a duration/ })
  t.throws(() => checkShutdownOptions({ killGrace: '1s' } as never, 40), {
    name: 'TypeError', message: '"killGrace" is not a shutdown() option; did you mean grace?',
  })
  t.throws(() => checkShutdownOptions({ sginal: 'SIGINT' } as never, 40), {
    name: 'TypeError', message: '"sginal" is not a shutdown() option; did you mean signal?',
  })
  t.throws(() => checkShutdownOptions({ force: true } as never, 40), {
    name: 'TypeError', message: '"force" is not a shutdown() option; it takes signal, grace',
  })
})

// One row per option of each options object: a wrong type is a TypeError, a value of the right type
// that is out of range (or not one of the allowed values) a RangeError; each message names the
// option and the value.
type Refusal = [options: object, name: 'TypeError' | 'RangeError', message: string | RegExp]

const managerRefusals: Refusal[] = [
  [{ maxProcs: '4' }, 'TypeError', 'maxProcs must be a whole number >= 0, got "4"'],
  [{ maxProcs: 1.5 }, 'RangeError', 'maxProcs must be a whole number >= 0, got 1.5'],
  [{ timeout: true }, 'TypeError', `timeout must be a number of milliseconds or a string like '5s', got true`],
  [{ timeout: 0 }, 'RangeError', 'timeout must be a positive number of milliseconds, got 0'],
  [{ killGrace: null }, 'TypeError', /^killGrace must be a number of milliseconds or a string like '5s', got null$/],
  [{ killGrace: '5 sec' }, 'RangeError', /^killGrace "5 sec" is not a duration/],
  [{ onOverlap: 1 }, 'TypeError', `onOverlap must be one of 'cancel-old', 'reject-new', 'queue', 'allow', got 1`],
  [{ onOverlap: 'drop' }, 'RangeError', `onOverlap must be one of 'cancel-old', 'reject-new', 'queue', 'allow', got "drop"`],
  [{ logger: 'pino' }, 'TypeError', /^logger must have debug, info, warn and error methods .*, got "pino"/],
  [{ handleSignals: 1 }, 'TypeError', 'handleSignals must be a boolean, got 1'],
  [{ spawner: 'two' }, 'TypeError', 'spawner must be a boolean or a number of spawner processes, got "two"'],
  [{ spawner: 0 }, 'RangeError', 'spawner (false for none) must be a whole number >= 1, got 0'],
  [{ minFreeMemory: [] }, 'TypeError', `minFreeMemory must be a number of bytes or a string like '512MB', got an array of 0`],
  [{ minFreeMemory: -1 }, 'RangeError', 'minFreeMemory must be a positive number of bytes, got -1'],
  [{ maxLoad: '2' }, 'TypeError', 'maxLoad must be a number above 0, got "2"'],
  [{ maxLoad: 0 }, 'RangeError', 'maxLoad must be a number above 0, got 0'],
  [{ backend: {} }, 'TypeError', 'backend must be a backend such as redisBackend(), got an object'],
  [{ processPool: 5 }, 'TypeError', 'processPool options must be an object, got 5'],
  [{ threadPool: 'x' }, 'TypeError', 'threadPool options must be an object, got "x"'],
]

const poolRefusals = (pool: 'processPool' | 'threadPool'): Refusal[] => [
  [{ [pool]: { maxTasksPerWorker: '5' } }, 'TypeError', `${pool}.maxTasksPerWorker must be a whole number >= 1, or Infinity, got "5"`],
  [{ [pool]: { maxTasksPerWorker: 0 } }, 'RangeError', `${pool}.maxTasksPerWorker must be a whole number >= 1, or Infinity, got 0`],
  [{ [pool]: { concurrentTasksPerWorker: '2' } }, 'TypeError', `${pool}.concurrentTasksPerWorker must be a whole number >= 1, got "2"`],
  [{ [pool]: { concurrentTasksPerWorker: Infinity } }, 'RangeError', `${pool}.concurrentTasksPerWorker must be a whole number >= 1, got ` +
    `Infinity`],
  [{ [pool]: { idleTimeout: {} } }, 'TypeError', `${pool}.idleTimeout must be a number of milliseconds or a string like '5s', got an ` +
    `object`],
  [{ [pool]: { idleTimeout: -1 } }, 'RangeError', `${pool}.idleTimeout must be a positive number of milliseconds, got -1`],
]

const startRefusals: Refusal[] = [
  [{ timeout: [] }, 'TypeError', `timeout must be a number of milliseconds or a string like '5s', got an array of 0`],
  [{ timeout: -5 }, 'RangeError', 'timeout must be a positive number of milliseconds, got -5'],
  [{ killGrace: false }, 'TypeError', `killGrace must be a number of milliseconds or a string like '5s', got false`],
  [{ killGrace: '5000' }, 'RangeError', /^killGrace "5000" is not a duration \(add a unit/],
  [{ signal: 'abort' }, 'TypeError', 'start() signal must be an AbortSignal, got "abort"'],
  [{ name: 7 }, 'TypeError', 'start() name must be a non-empty string, got 7'],
  [{ name: '' }, 'RangeError', 'start() name must be a non-empty string, got ""'],
  [{ label: 3 }, 'TypeError', 'start() label must be a string, got 3'],
  [{ onOverlap: null }, 'TypeError', `start() onOverlap must be one of 'cancel-old', 'reject-new', 'queue', 'allow', got null`],
  [{ onOverlap: 'never' }, 'RangeError', `start() onOverlap must be one of 'cancel-old', 'reject-new', 'queue', 'allow', got "never"`],
  [{ retries: '3' }, 'TypeError', 'start() retries options must be an object, got "3"'],
  [{ retries: -1 }, 'RangeError', 'start() retries.count must be a whole number >= 0, got -1'],
  [{ retries: { count: true } }, 'TypeError', 'start() retries.count must be a whole number >= 0, got true'],
  [{ retries: { count: 1, backoff: true } }, 'TypeError', 'start() retries.backoff options must be an object, got true'],
  [{ retries: { count: 1, backoff: -1 } }, 'RangeError', 'start() retries.backoff must be a positive number of milliseconds, got -1'],
  [{ retries: { count: 1, backoff: { delay: 10, type: 2 } } }, 'TypeError', `start() retries.backoff.type must be one of 'fixed', ` +
    `'exponential', got 2`],
  [{
    retries: { count: 1, backoff: { delay: 10, type: 'linear' } },
  }, 'RangeError', `start() retries.backoff.type must be one of 'fixed', 'exponential', got "linear"`],
  [{ retries: { count: 1, backoff: { delay: 'x1' } } }, 'RangeError', /^start\(\) retries.backoff.delay "x1" is not a duration/],
  [{
    retries: { count: 1, backoff: { delay: null } },
  }, 'TypeError', /^start\(\) retries.backoff.delay must be a number of milliseconds .*, got null$/],
  [{ retries: { count: 1, backoff: { delay: 1, max: 0 } } }, 'RangeError', 'start() retries.backoff.max must be a positive number of ' +
    'milliseconds, got 0'],
  [{ retries: { count: 1, backoff: { delay: 1, jitter: 'yes' } } }, 'TypeError', 'start() retries.backoff.jitter must be a boolean, got ' +
    '"yes"'],
]

const shutdownRefusals: Refusal[] = [
  [{ signal: 9 }, 'TypeError', `shutdown() signal must be a signal name such as 'SIGTERM', got 9`],
  [{ signal: 'SIGNOPE' }, 'RangeError', `shutdown() signal must be a signal name such as 'SIGTERM', got "SIGNOPE"`],
  [{ signal: 'toString' }, 'RangeError', `shutdown() signal must be a signal name such as 'SIGTERM', got "toString"`],
  [{ grace: {} }, 'TypeError', `grace must be a number of milliseconds or a string like '5s', got an object`],
  [{ grace: 0 }, 'RangeError', 'grace must be a positive number of milliseconds, got 0'],
]

t.test('every ForkManager option, processPool and threadPool: TypeError for a wrong type, RangeError out of range', async (t) => {
  for (const [options, name, message] of [...managerRefusals, ...poolRefusals('processPool'), ...poolRefusals('threadPool')]) {
    t.throws(() => checkManagerOptions(options), { name, message }, JSON.stringify(options))
  }
  t.same(new Set([...managerRefusals.map(([o]) => Object.keys(o)[0])]),
    new Set(['maxProcs', 'timeout', 'killGrace', 'onOverlap', 'logger', 'handleSignals', 'spawner', 'minFreeMemory', 'maxLoad', 'backend',
      'processPool', 'threadPool']), 'every option has a row')
})

t.test('every start() option, retries included: TypeError for a wrong type, RangeError out of range', async (t) => {
  for (const [options, name, message] of startRefusals) {
    t.throws(() => checkStartOptions(options, defaults), { name, message },
      JSON.stringify(options))
  }
})

t.test('every shutdown() option: TypeError for a wrong type, RangeError out of range', async (t) => {
  for (const [options, name, message] of shutdownRefusals) {
    t.throws(() => checkShutdownOptions(options, 40), { name, message },
      JSON.stringify(options))
  }
})
