import t from 'tap'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { normalizeJob, workerUrl } from '../../dist/lib/runners/spec.js'

t.test('commands', async (t) => {
  t.same(normalizeJob({ command: 'ls' }), {
    type: 'command', command: 'ls', args: [], capture: false, maxBuffer: 32 * 1024 * 1024, shell: false,
  })
  t.match(normalizeJob({
    command: 'ls', args: ['-l'], cwd: '/', env: { A: 'b', U: undefined }, input: new Uint8Array(1), capture: true, shell: true,
    maxBuffer: 10,
  }),
  { args: ['-l'], cwd: '/', env: { A: 'b' }, capture: true, shell: true, maxBuffer: 10 })
  t.throws(() => normalizeJob({ command: '' }), { message: 'job.command must be a non-empty string, got ""' })
  t.throws(() => normalizeJob({ command: 'ls', args: 'x' }), { message: 'job.args must be an array of strings, got "x"' })
  t.throws(() => normalizeJob({ command: 'ls', args: [1] }), TypeError)
  t.throws(() => normalizeJob({ command: 'ls', capture: 'yes' }), { message: 'job.capture must be a boolean, got "yes"' })
  t.throws(() => normalizeJob({ command: 'ls', input: 5 }), { message: /job.input must be a string or a Uint8Array/ })
  t.throws(() => normalizeJob({ command: 'ls', env: { A: 1 } }), { message: /job.env must be an object of strings/ })
  t.throws(() => normalizeJob({ command: 'ls', env: [] }), TypeError)
  t.throws(() => normalizeJob({ command: 'ls', env: null }), TypeError)
  t.throws(() => normalizeJob({ command: 'ls', cwd: '' }), { message: 'job.cwd must be a non-empty string, got ""' })
  t.throws(() => normalizeJob({ command: 'ls', maxBuffer: 0 }), { message: 'job.maxBuffer must be a whole number >= 1, got 0' })
  t.throws(() => normalizeJob({ command: 'ls', isolation: 'thread' }), {
    message: /a command job has no option "isolation"; it takes command, args/,
  })
  t.throws(() => normalizeJob([]), { message: /a job must be an object.*got an array of 0/ })
})

t.test('workers', async (t) => {
  const abs = path.resolve('w.js')
  t.same(normalizeJob({ worker: 'w.js' }), {
    type: 'worker', url: pathToFileURL(abs).href, data: undefined, isolation: 'process', execArgv: [],
  })
  t.match(normalizeJob({ worker: 'w.ts', data: 1, cwd: '/', env: {} }), {
    isolation: 'process', execArgv: process.execArgv, cwd: '/', env: {},
  })
  t.match(normalizeJob({ worker: 'w.js', isolation: 'thread', resourceLimits: { maxOldGenerationSizeMb: 16 } }), {
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  })
  t.throws(() => normalizeJob({ worker: 'w.js', resourceLimits: { maxOldGenerationSizeMb: 16 } }), {
    message: /job.resourceLimits applies to isolation 'thread'/,
  })
  t.throws(() => normalizeJob({ worker: 'w.js', isolation: 'thread', resourceLimits: { heap: 1 } }), {
    name: 'TypeError', message: /^"heap" is not a job.resourceLimits option; it takes maxOldGenerationSizeMb, /,
  })
  t.throws(() => normalizeJob({ worker: 'w.js', isolation: 'thread', resourceLimits: null }), TypeError)
  t.throws(() => normalizeJob({ worker: 'w.js', isolation: 'thread', cwd: '/' }), {
    message: /job.cwd applies to processes; a thread shares/,
  })
  t.throws(() => normalizeJob({ worker: 'w.js', isolation: 'thread', env: {} }), { message: /job.env applies to processes/ })
  t.match(normalizeJob({ worker: 'w.js', execArgv: ['--no-warnings'] }), { execArgv: ['--no-warnings'] })
  t.throws(() => normalizeJob({ worker: 'w.js', args: [] }), { message: /a worker job has no option "args"/ })
  t.throws(() => normalizeJob({ worker: 'w.js', execArgv: '--x' }), TypeError)
})

// One row per check: the job, the class, and the message, which names the option and the value.
const refusals: Array<[string, object, 'TypeError' | 'RangeError', string]> = [
  ['not an object', 5 as never, 'TypeError', `a job must be an object like { command: 'ls' } or { worker: './work.js' }, got 5`],
  ['command, not a string', { command: 5 }, 'TypeError', 'job.command must be a non-empty string, got 5'],
  ['command, empty', { command: '' }, 'RangeError', 'job.command must be a non-empty string, got ""'],
  ['args, not an array', { command: 'ls', args: 'x' }, 'TypeError', 'job.args must be an array of strings, got "x"'],
  ['args, not strings', { command: 'ls', args: [1] }, 'TypeError', 'job.args must be an array of strings, got an array of 1'],
  ['capture', { command: 'ls', capture: 'yes' }, 'TypeError', 'job.capture must be a boolean, got "yes"'],
  ['shell', { command: 'ls', shell: 1 }, 'TypeError', 'job.shell must be a boolean, got 1'],
  ['maxBuffer, not a number', { command: 'ls', maxBuffer: '1MB' }, 'TypeError', 'job.maxBuffer must be a whole number >= 1, got "1MB"'],
  ['maxBuffer, zero', { command: 'ls', maxBuffer: 0 }, 'RangeError', 'job.maxBuffer must be a whole number >= 1, got 0'],
  ['maxBuffer, a fraction', { command: 'ls', maxBuffer: 1.5 }, 'RangeError', 'job.maxBuffer must be a whole number >= 1, got 1.5'],
  ['input', { command: 'ls', input: 5 }, 'TypeError', 'job.input must be a string or a Uint8Array, got 5'],
  ['encoding, not a string', { command: 'ls', encoding: 8 }, 'TypeError', `job.encoding must be one of 'utf8', 'latin1', got 8`],
  ['encoding, not one of them', { command: 'ls', encoding: 'hex' }, 'RangeError', `job.encoding must be one of 'utf8', 'latin1', got ` +
    `"hex"`],
  ['cwd, not a string', { command: 'ls', cwd: 1 }, 'TypeError', 'job.cwd must be a non-empty string, got 1'],
  ['cwd, empty', { command: 'ls', cwd: '' }, 'RangeError', 'job.cwd must be a non-empty string, got ""'],
  ['env', { command: 'ls', env: { A: 1 } }, 'TypeError', 'job.env must be an object of strings, got an object'],
  ['worker, not a path', { worker: 3 }, 'TypeError', 'job.worker must be a path or a file: URL, got 3'],
  ['worker, empty', { worker: '' }, 'RangeError', 'job.worker must be a path or a file: URL, got ""'],
  ['worker, another scheme', { worker: 'https://example.com/w.js' }, 'RangeError', 'job.worker must be a path or a file: URL, got ' +
    '"https://example.com/w.js"'],
  ['isolation, not a string', { worker: 'w.js', isolation: 1 }, 'TypeError', `job.isolation must be one of 'process', 'process-pool', ` +
    `'thread', got 1`],
  ['isolation, not one of them', { worker: 'w.js', isolation: 'fork' }, 'RangeError', `job.isolation must be one of 'process', ` +
    `'process-pool', 'thread', got "fork"`],
  ['execArgv', { worker: 'w.js', execArgv: '--x' }, 'TypeError', 'job.execArgv must be an array of strings, got "--x"'],
  ['resourceLimits, not an object', {
    worker: 'w.js', isolation: 'thread', resourceLimits: 16,
  }, 'TypeError', 'job.resourceLimits must be an object, got 16'],
  ['resourceLimits, a limit not a number', {
    worker: 'w.js', isolation: 'thread', resourceLimits: { stackSizeMb: '4' },
  }, 'TypeError', 'job.resourceLimits.stackSizeMb must be a number above 0, got "4"'],
  ['resourceLimits, a limit of 0', {
    worker: 'w.js', isolation: 'thread', resourceLimits: { maxOldGenerationSizeMb: 0 },
  }, 'RangeError', 'job.resourceLimits.maxOldGenerationSizeMb must be a number above 0, got 0'],
]

t.test('each job option: a wrong type is a TypeError, a value out of range a RangeError, naming the option and the value', async (t) => {
  for (const [what, job, name, message] of refusals) t.throws(() => normalizeJob(job), { name, message }, what)
})

t.test('an unknown key names the job option it is probably a misspelling of, or the start() option it is', async (t) => {
  t.throws(() => normalizeJob({ worker: 'w.js', isloation: 'thread' }), {
    name: 'TypeError', message: 'a worker job has no option "isloation"; did you mean isolation?',
  })
  t.throws(() => normalizeJob({ command: 'ls', Args: [] }), {
    name: 'TypeError', message: 'a command job has no option "Args"; did you mean args?',
  })
  t.throws(() => normalizeJob({ command: 'ls', timeout: '1s' }), {
    name: 'TypeError', message: 'a command job has no option "timeout"; did you mean the start() option timeout?',
  })
  t.throws(() => normalizeJob({ worker: 'w.js', name: 'nightly' }), {
    name: 'TypeError', message: 'a worker job has no option "name"; did you mean the start() option name?',
  })
  t.throws(() => normalizeJob({ worker: 'w.js', frobnicate: 1 }), {
    name: 'TypeError',
    message: 'a worker job has no option "frobnicate"; it takes worker, data, isolation, execArgv, resourceLimits, cwd, env',
  })
})

t.test('only own fields count: a spec made by spread reads the same, and inherited ones are ignored', async (t) => {
  const base = { worker: 'w.js', isolation: 'process-pool' } as const
  t.same(normalizeJob({ ...base, data: 3 }), normalizeJob({ worker: 'w.js', isolation: 'process-pool', data: 3 }))
  const inheriting = Object.assign(Object.create({ cwd: '', typo: 1 }) as object, { worker: 'w.js' })
  t.match(normalizeJob(inheriting), { type: 'worker', isolation: 'process' }, 'an inherited bad cwd and unknown key are not the job\'s')
  t.throws(() => normalizeJob({ command: 'ls', worker: 'w.js' }), { message: 'a job has either command or worker, not both' })
  t.throws(() => normalizeJob({ command: undefined }), {
    message: 'job.command must be a non-empty string, got undefined',
  }, 'a key that is there counts, whatever its value')
})

t.test('worker paths and URLs', async (t) => {
  t.equal(workerUrl('/abs/w.js'), 'file:///abs/w.js')
  t.equal(workerUrl(new URL('file:///x/w.js')), 'file:///x/w.js')
  t.equal(workerUrl('file:///x/w.js'), 'file:///x/w.js')
  t.equal(workerUrl('sub/w.js'), pathToFileURL(path.resolve('sub/w.js')).href)
  t.throws(() => workerUrl(new URL('https://example.com/w.js')), {
    name: 'RangeError', message: 'job.worker must be a path or a file: ' +
    'URL, got "https://example.com/w.js"'
  })
  t.throws(() => workerUrl('https://example.com/w.js'), { message: /job.worker must be a path or a file: URL, got "https/ })
  t.throws(() => workerUrl(''), RangeError)
  t.throws(() => workerUrl(3), { message: 'job.worker must be a path or a file: URL, got 3' })
})

t.test('a worker path resolves against the working directory of each start, remembered or not', async (t) => {
  const here = process.cwd()
  const first = normalizeJob({ worker: 'sub/w.ts' })
  t.match(first, { url: pathToFileURL(path.resolve('sub/w.ts')).href, execArgv: process.execArgv })
  t.same(normalizeJob({ worker: 'sub/w.ts' }), first, 'the same answer the second time')
  t.not((normalizeJob({ worker: 'sub/w.ts' }) as { execArgv: string[] }).execArgv, (first as { execArgv: string[] }).execArgv,
    'each job gets its own execArgv array')
  process.chdir(t.testdir({}))
  t.teardown(() => process.chdir(here))
  t.equal(workerUrl('sub/w.ts'), pathToFileURL(path.resolve('sub/w.ts')).href, 'after a chdir: the new directory')
  t.not(workerUrl('sub/w.ts'), workerUrl(path.join(here, 'sub/w.ts')))
  t.throws(() => workerUrl('https://example.com/w.js'), {
    message: /job.worker must be a path or a file: URL/,
  }, 'a bad path fails every time')
  t.throws(() => workerUrl('https://example.com/w.js'), { message: /job.worker must be a path or a file: URL/ })
  const url = new URL('file:///x/w.js')
  t.match(normalizeJob({ worker: url }), { url: 'file:///x/w.js', execArgv: [] })
  url.pathname = '/x/w.mts'
  t.match(normalizeJob({ worker: url }), { url: 'file:///x/w.mts', execArgv: process.execArgv }, 'a URL object is read at each start')
})
