// What `npm pack` ships from a fresh clone (no dist/ yet: the package's `prepare` script must build
// it), checked against an allowlist: the library, its child-side runtimes, the native spawner's
// source and the script that builds it at install, the CLI and the example workers a user is
// meant to copy; never the tests' fault injectors, the bench's adapters (which require
// devDependencies) or source maps that point at unshipped sources.

import { readFileSync } from 'node:fs'
import t from 'tap'
import { cleanPack, ROOT } from '../helpers/clean-pack.js'

// A full TypeScript build (the prepare script) on two shared cores: minutes, not the default 180 s, when the machine is busy.
t.setTimeout(600_000)
const { files } = await cleanPack(t.testdir())

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
  /^dist\/lib\/(util|primitives|worker|runners|map|control|manager|remote|cli)\/.+\.(js|cjs|d\.ts|d\.cts)$/,
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
