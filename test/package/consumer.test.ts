// The package as a user gets it: packed to a tarball, installed into a fresh consumer project,
// type-checked there with `module: "nodenext"`, run, and its CLI run through `npx forkpool`.
// Dependencies come from npm's cache (`npm ci` filled it) and the registry only if missing.

import { execFile } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

const run = promisify(execFile)
const ROOT = new URL('../..', import.meta.url).pathname
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc')
const NODE_TYPES = path.join(ROOT, 'node_modules/@types')

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

t.test('a consumer project installs the packed tarball, type-checks against it and runs it', async (t) => {
  const dir = t.testdir({
    'package.json': JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, outDir: 'out', typeRoots: [NODE_TYPES], types: ['node'], skipLibCheck: false },
      include: ['main.ts'],
    }),
  })
  writeFileSync(path.join(dir, 'main.ts'), CONSUMER)
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT })
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
  t.ok(tarball, 'npm pack wrote a tarball')
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball!}`], { cwd: dir })
  // The install script built the native spawner on this machine, where the package looks for it.
  t.ok(existsSync(path.join(dir, 'node_modules/forkpool/build/forker')), 'npm install built build/forker')

  // The types a user gets: the published .d.ts files alone, resolved through package.json exports.
  const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir }).then(() => 'ok', (error: { stdout: string }) => error.stdout)
  t.equal(checked, 'ok', 'tsc finds no error in the consumer against the packed types')

  const { stdout } = await run(process.execPath, ['out/main.js'], { cwd: dir })
  t.equal(stdout.trim(), 'echo=hi sq1=1 sq2=4 sq3=9 string')

  const cli = await run('npx', ['--no-install', 'forkpool', '-j', '2', '-k', 'echo', ':::', 'a', 'b', 'c'], { cwd: dir })
  t.equal(cli.stdout, 'a\nb\nc\n', 'npx forkpool runs the installed CLI')
})
