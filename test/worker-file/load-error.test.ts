// Worker files that cannot load: the WorkerLoadError names the file, how its path resolved, and
// the line of a syntax error where Node knows one.
import t from 'tap'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { loadWorkerFile } from '../../dist/lib/worker-file/call.js'
import { importError } from '../../dist/lib/worker-file/load-error.js'
import { missingWorkerFile } from '../../dist/lib/worker-file/missing-file.js'
import { WorkerLoadError } from '../../dist/lib/errors.js'

const dir = t.testdir({
  'syntax.mjs': 'const a = 1\nexport default (n) => { return n + }\n',
  'syntax.cjs': 'module.exports = (n) => {\n  return n +\n}}\n',
  'requires-broken.cjs': 'module.exports = require("./syntax.cjs")\n',
  'imports-broken.mjs': 'export { default } from "./syntax.mjs"\n',
  'imports-missing.mjs': 'export { default } from "./gone.mjs"\n',
  'throws.mjs': 'throw new RangeError("no config")\n',
})
const url = (name: string): string => pathToFileURL(path.join(dir, name)).href
const failure = (name: string): Promise<unknown> =>
  loadWorkerFile(url(name)).then(() => t.fail(`${name} loaded`), (error: unknown) => error)

t.test('an ES module with a syntax error: the file and the line, and the source line in the stack', async (t) => {
  const error = await failure('syntax.mjs')
  t.ok(error instanceof WorkerLoadError)
  t.match(error, {
    code: 'ERR_FORKPOOL_WORKER_LOAD',
    message: `worker file ${path.join(dir, 'syntax.mjs')} failed to load: SyntaxError: Unexpected token '}' (line 2)`,
    stack: /\n\n.*syntax\.mjs:2\nexport default \(n\) => \{ return n \+ \}\n\s+\^/,
  })
  t.equal(await failure('syntax.mjs'), error, 'loaded once: the same error again')
})

t.test('a CommonJS file with a syntax error, and one that requires it: Node names the file in the stack', async (t) => {
  t.match(await failure('syntax.cjs'), { message: /syntax\.cjs failed to load: SyntaxError: Unexpected token '}' \(line 3\)$/ })
  t.match(await failure('requires-broken.cjs'), {
    message: new RegExp(`requires-broken\\.cjs failed to load: SyntaxError: .* \\(in ${path.join(dir, 'syntax.cjs')}, line 3\\)$`),
  })
})

t.test('an ES module that imports a broken one: the worker is named; Node gives no line', async (t) => {
  t.match(await failure('imports-broken.mjs'), { message: /imports-broken\.mjs failed to load: SyntaxError: Unexpected token '\}'$/ })
})

t.test('a missing worker, and a worker whose import is missing: the one that is missing is named', async (t) => {
  t.match(await failure('nope.mjs'), {
    message: `worker file ${path.join(dir, 'nope.mjs')} does not exist (a relative worker path is resolved against process.cwd() ` +
      "of the program that starts the job; new URL('./worker.js', import.meta.url) names a file next to your module, " +
        'wherever the program is started from)',
  })
  // eslint-disable-next-line @stylistic/max-len -- one regular expression for one message
  t.match(await failure('imports-missing.mjs'), { message: /imports-missing\.mjs failed to load: Error( \[ERR_MODULE_NOT_FOUND\])?: Cannot find module '.*gone\.mjs' imported from .*imports-missing\.mjs$/ })
})

t.test('a throw while the worker is imported: its stack, which points into the worker file', async (t) => {
  t.match(await failure('throws.mjs'), {
    message: /throws\.mjs failed to load: RangeError: no config$/,
    stack: /^WorkerLoadError: .*\n\nRangeError: no config\n\s+at .*throws\.mjs:1/,
  })
})

t.test('what Node reports in other shapes', async (t) => {
  const ts = await importError('file:///app/work.ts',
    Object.assign(new TypeError('Unknown file extension ".ts" for /app/work.ts'), { code: 'ERR_UNKNOWN_FILE_EXTENSION' }))
  // eslint-disable-next-line @stylistic/max-len -- one regular expression for one message
  t.match(ts.message, /^worker file \/app\/work\.ts failed to load: TypeError \[ERR_UNKNOWN_FILE_EXTENSION\]: .*\. Plain Node runs no TypeScript: start the program under a TypeScript loader .* or point job\.worker at the compiled \.js/)
  const tsSyntax = await importError('file:///app/work.ts', new SyntaxError('Unexpected token'))
  t.equal(tsSyntax.message, 'worker file /app/work.ts failed to load: SyntaxError: Unexpected token', 'not JavaScript: no node --check')
  const urlHead = Object.assign(new SyntaxError('Unexpected end of input'), { stack: 'file:///app/work.mjs:7\n  return (\n' })
  t.equal((await importError('file:///app/work.mjs', urlHead)).message,
    'worker file /app/work.mjs failed to load: SyntaxError: Unexpected end of input (line 7)')
  t.equal((await importError('file:///app/work.js', 'a string')).message,
    'worker file /app/work.js failed to load: Error: non-error thrown: a string')
})

t.test('missingWorkerFile: how the path the caller gave resolved; undefined for a file that is there', async (t) => {
  const here = pathToFileURL(path.resolve('gone/w.js')).href
  t.equal(missingWorkerFile(here, 'gone/w.js')?.message, `worker file "gone/w.js", resolved against process.cwd() (${process.cwd()}) to ` +
    `${path.resolve('gone/w.js')}, does not exist (new URL('./worker.js', import.meta.url) names a file next to your module, ` +
      'wherever the program is started from)')
  t.match(missingWorkerFile('file:///gone/w.js', '/gone/w.js'), {
    name: 'WorkerLoadError', message: /^worker file \/gone\/w\.js does not exist \(a relative worker path/,
  })
  t.match(missingWorkerFile('file:///gone/w.js', new URL('file:///gone/w.js')), { message: /^worker file \/gone\/w\.js does not exist/ })
  t.match(missingWorkerFile('file:///gone/w.js', 'file:///gone/w.js'), { message: /^worker file \/gone\/w\.js does not exist/ })
  t.ok(missingWorkerFile(`${url('syntax.mjs')}/under-a-file.js`), 'ENOTDIR: not there either')
  t.equal(missingWorkerFile(url('syntax.mjs')), undefined)
  t.equal(missingWorkerFile(url('syntax.mjs')), undefined, 'known: no second stat')
  t.equal(missingWorkerFile(`file:///${'x'.repeat(5000)}.js`), undefined,
    'a path the system refuses (ENAMETOOLONG): the import will say why')
})
