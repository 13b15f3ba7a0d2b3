// The package as a user gets it, packed once from a fresh clone (test/helpers/clean-pack.ts: no
// dist/ yet, so the package's `prepare` script must build it; one build serves every subtest here).
// What `npm pack` ships is checked against an allowlist: the library, its child-side runtimes, the
// native spawner's source and the script that builds it at install, the CLI and the example
// workers a user is meant to copy; never the tests' fault injectors, the bench's adapters (which
// require devDependencies) or source maps that point at unshipped sources.
// Then the tarball is installed into a fresh consumer project, type-checked there with `module:
// "nodenext"`, run, and its CLI run through `npx forkpool`. bullmq and ioredis are optional peer
// dependencies: the consumer does not get them, `import 'forkpool'` does not need them, and
// forkpool/redis and `forkpool worker` say in one line what to install, until the consumer
// installs them. Dependencies come from npm's cache (`npm ci` filled it) and the registry only if missing.

import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { cleanPack, ROOT, USER_ENV } from '../helpers/clean-pack.js'

const run = promisify(execFile)
// A full TypeScript build (the prepare script), two npm installs and two type-checks on two shared cores: minutes, not the default 180 s,
// when the machine is busy.
t.setTimeout(600_000)

// Outside this repository: Node looks for a package in every node_modules up the tree, and this
// repository's holds bullmq (a devDependency), which a user's project does not.
const top = mkdtempSync(path.join(tmpdir(), 'forkpool-consumer-'))
t.teardown(() => rmSync(top, { recursive: true, force: true }))
mkdirSync(path.join(top, 'pack'))
const { tarball, files } = await cleanPack(path.join(top, 'pack'))
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc')
const NODE_TYPES = path.join(ROOT, 'node_modules/@types')
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string; peerDependencies: Record<string, string>
}
const INSTALL_LINE = `npm install bullmq@${pkg.peerDependencies.bullmq!} ioredis@${pkg.peerDependencies.ioredis!}`

const CONSUMER = `import { ForkManager, WorkerExitError, type JobResult } from 'forkpool'

const pm = new ForkManager({ maxProcs: 2 })
const results: JobResult[] = []
pm.runOnFinish((r) => results.push(r))
const square = new URL(import.meta.resolve('forkpool/package.json')).pathname.replace(/package\\.json$/, 'dist/workers/square.js')
for (const n of [1, 2, 3]) await pm.start(\`sq\${n}\`, { worker: square, data: n })
await pm.start('echo', { command: 'echo', args: ['hi'], capture: true })
await pm.waitAllChildren()
await pm.close()
const out = results.map((r) => \`\${r.ident}=\${r.ok ? (r.stdout ?? String(r.data)).trim() : r.error?.code}\`).sort()
console.log(out.join(' '), typeof WorkerExitError.code)
`

/** Imports forkpool/redis and prints what it got, or the error's one-line message. */
const IMPORT_REDIS = "import('forkpool/redis')" +
  ".then((m) => console.log('loaded', typeof m.redisBackend, typeof m.startAgent), (e) => console.log(e.code, e.message))"

/** A TypeScript user of forkpool/redis, type-checked once bullmq and ioredis are installed. */
const REDIS_CONSUMER = `import { ForkManager } from 'forkpool'
import { redisBackend, type RedisBackendOptions } from 'forkpool/redis'

const options: RedisBackendOptions = { url: 'redis://127.0.0.1:1/0', queue: 'q' }
export const pm = new ForkManager({ maxProcs: 4, backend: redisBackend(options) })
`

t.test('a consumer project installs a clean clone\'s tarball without bullmq, type-checks against it and runs it', async (t) => {
  const dir = path.join(top, 'app')
  mkdirSync(dir)
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, outDir: 'out', typeRoots: [NODE_TYPES],
      types: ['node'], skipLibCheck: false,
    },
    include: ['*.ts'],
  }))
  writeFileSync(path.join(dir, 'main.ts'), CONSUMER)
  t.ok(files.includes('dist/lib/index.js'), 'the tarball holds the built library')
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir, env: USER_ENV })
  // The install script built the native spawner on this machine, where the package looks for it.
  t.ok(existsSync(path.join(dir, 'node_modules/forkpool/build/forker')), 'npm install built build/forker')
  for (const name of ['bullmq', 'ioredis', 'msgpackr']) {
    t.notOk(existsSync(path.join(dir, 'node_modules', name)), `no ${name} in the ` +
    `consumer's node_modules`)
  }

  // The types a user gets: the published .d.ts files alone, resolved through package.json exports.
  const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir }).then(() => 'ok',
    (error: { stdout: string }) => error.stdout)
  t.equal(checked, 'ok', 'tsc finds no error in the consumer against the packed types')

  const { stdout } = await run(process.execPath, ['out/main.js'], { cwd: dir })
  t.equal(stdout.trim(), 'echo=hi sq1=1 sq2=4 sq3=9 string')

  const version = await run('npx', ['--no-install', 'forkpool', '--version'], { cwd: dir, env: USER_ENV })
  t.equal(version.stdout, `forkpool ${pkg.version}\n`, 'npx forkpool --version')
  const cli = await run('npx', ['--no-install', 'forkpool', '-j', '2', '-k', 'echo', ':::', 'a', 'b', 'c'], { cwd: dir, env: USER_ENV })
  t.equal(cli.stdout, 'a\nb\nc\n', 'npx forkpool runs the installed CLI')

  // The README's first example as a user copies it: its two files, run from another folder, print what the README shows (pids aside).
  const classic = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('## The classic example')[1]!.split('\n## ')[0]!
  const [main, worker, shown] = [...classic.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!)
  writeFileSync(path.join(dir, 'main.js'), main!)
  writeFileSync(path.join(dir, /^\/\/ ([\w.-]+)/.exec(worker!)![1]!), worker!)
  const example = await run(process.execPath, [path.join(dir, 'main.js')], { cwd: top })
  // Lines in any order: the two jobs run at once, either may end first.
  const lines = (text: string): string[] => text.replace(/\d{2,}/g, 'PID').trim().split('\n').sort()
  t.same(lines(example.stdout), lines(shown!.replace(/^\$ node main\.js\n/, '')), 'the README\'s classic example prints what the README ' +
    'shows')

  // Without the optional peers: one line that says what to install.
  const missing = await run(process.execPath, ['-e', IMPORT_REDIS], { cwd: dir })
  t.equal(missing.stdout, `ERR_FORKPOOL forkpool's Redis backend and agent need bullmq and ioredis, and bullmq is not installed: ` +
    `${INSTALL_LINE}\n`)
  const agent = await run('npx', ['--no-install', 'forkpool', 'worker', '--redis', 'redis://127.0.0.1:1/0', '--queue', 'q', '--root', dir],
    { cwd: dir, env: USER_ENV })
    .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error)
  t.equal(agent.code, 255)
  t.equal(agent.stderr, `forkpool worker: forkpool's Redis backend and agent need bullmq and ioredis, and bullmq is not installed: ` +
    `${INSTALL_LINE}\n`, 'forkpool worker: one line')

  // The line's own command installs them; then forkpool/redis loads and type-checks.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...INSTALL_LINE.split(' ').slice(2)],
    { cwd: dir, env: USER_ENV })
  const loaded = await run(process.execPath, ['-e', IMPORT_REDIS], { cwd: dir })
  t.equal(loaded.stdout, 'loaded function function\n', 'forkpool/redis loads once bullmq and ioredis are installed')
  writeFileSync(path.join(dir, 'redis.ts'), REDIS_CONSUMER)
  const redisChecked = await run(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.json'], { cwd: dir }).then(() => 'ok',
    (error: { stdout: string }) => error.stdout)
  t.equal(redisChecked, 'ok', 'a forkpool/redis user type-checks')
})

/** Every shipped file must match one of these. */
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^docs\/.+\.md$/,
  // The benchmark results and their chart, which the README and the guides cite.
  /^bench\/(README\.md|results\.svg)$/,
  // The library: code and declarations, one folder per layer.
  /^dist\/lib\/(index|errors|types)\.(js|d\.ts)$/,
  /^dist\/lib\/(util|primitives|worker-file|runners|map|control|manager|remote|cli)\/.+\.(js|cjs|d\.ts|d\.cts)$/,
  // The example workers the README and examples/ tell users to copy.
  /^dist\/workers\/(hash-file|name-length|square)\.(js|d\.ts)$/,
  // The native spawner's source and the install script that builds it on the user's machine.
  /^native\/forker\.c$/,
  /^scripts\/build-forker\.mjs$/,
]

/** Files without which the package does not work: entry points, the CLI and every child-side runtime. */
const REQUIRED = [
  'dist/lib/index.js',
  'dist/lib/index.d.ts',
  'dist/lib/cli/main.js',
  'dist/lib/runners/process/runtime.js',
  'dist/lib/runners/pool/runtime.js',
  'dist/lib/runners/thread/transport.js',
  'dist/lib/runners/spawner/runtime.cjs',
  'dist/lib/util/child-output.cjs',
  'dist/lib/map/chunk-worker.js',
  'native/forker.c',
  'scripts/build-forker.mjs',
  'LICENSE',
]

t.test('every packed file is on the allowlist', async (t) => {
  const stray = files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)))
  t.same(stray, [], 'files outside the allowlist')
})

t.test('the entry points, the CLI and the child-side runtimes are packed', async (t) => {
  for (const file of REQUIRED) t.ok(files.includes(file), file)
})

t.test('nothing a user must not get is packed', async (t) => {
  for (const file of files) {
    t.notMatch(file, /\.map$/, `${file}: source maps point at lib/*.ts, which is not shipped`)
    t.notMatch(file, /(faults|pool-probe|workerpool-noop|poolifier-noop|raw-fork-noop|rendezvous)\./, `${file}: a test or bench worker`)
  }
  t.ok(files.length > 50 && files.length < 400, `a plausible count (${files.length} files)`)
})

t.test('the install script is packed; the build runs at pack time (prepare), never at a user install', async (t) => {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts.install, 'node scripts/build-forker.mjs')
  t.ok(files.includes('scripts/build-forker.mjs'))
  // `prepare` runs at `npm pack`, `npm publish` and a git install, never at a registry install.
  t.match(pkg.scripts.prepare, /npm run build/)
  for (const event of ['preinstall', 'postinstall']) t.notOk(event in pkg.scripts, `no ${event} script`)
})

t.test('package.json exports only entry points that are packed', async (t) => {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { exports: Record<string, unknown>; bin: Record<string, string> }
  const targets = JSON.stringify(pkg.exports).match(/\.\/dist\/[^"]+/g) ?? []
  t.ok(targets.length > 0)
  for (const target of targets) t.ok(files.includes(target.slice(2)), `${target} is packed`)
  for (const bin of Object.values(pkg.bin)) t.ok(files.includes(bin.replace(/^\.\//, '')), `bin ${bin} is packed`)
  t.notOk('./worker-runtime' in pkg.exports, 'no side-effecting runtime is exported')
})
