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
  t.throws(() => normalizeJob({ command: 'ls', maxBuffer: 0 }), { message: /job.maxBuffer must be a whole number of bytes/ })
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
    message: /job.resourceLimits must be an object of positive numbers/,
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
    message: 'job.worker must be a path or a file: URL, got https://example.com/w.js',
  })
  t.throws(() => workerUrl('https://example.com/w.js'), { message: /job.worker must be a path or a file: URL, got "https/ })
  t.throws(() => workerUrl(''), TypeError)
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
