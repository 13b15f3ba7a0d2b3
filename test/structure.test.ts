// The layering rules (.dependency-cruiser.cjs) catch what they should: depcruise, with the
// project's config, on a small lib/ that breaks each rule once (test/fixtures/layers/). The real
// lib/ is checked by `npm run lint:deps`, which `npm test` runs first (pretest). And lib/'s files
// stay small: one concept a file.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url))
const DEPCRUISE = root('node_modules/.bin/depcruise')
const CONFIG = root('.dependency-cruiser.cjs')
const FIXTURE = root('test/fixtures/layers')

interface Violation {
  from: string
  to: string
  unresolvedTo?: string
  rule: { name: string; severity: string }
}

function depcruise(cwd: string, outputType: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const args = [DEPCRUISE, 'lib', '--config', CONFIG, '--output-type', outputType]
    execFile(process.execPath, args, { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr })
    })
  })
}

t.test('every rule reports the fixture file that breaks it, and nothing else', async (t) => {
  const { code, stdout, stderr } = await depcruise(FIXTURE, 'json')
  t.equal(code, 0, 'the json reporter always exits 0 (the next test checks the exit code)')
  t.equal(stderr, '')
  const violations = (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations
  // A package's resolved path depends on where node_modules is: name it as the import does.
  const found = violations.map(({ rule, from, to, unresolvedTo }) => `${rule.severity} ${rule.name}: ${from} → ` +
    `${to.includes('node_modules/') ? unresolvedTo : to}`)
  t.same(found.sort(), [
    'error layer-manager: lib/manager/job.ts → lib/cli/main.ts',
    'error layer-map: lib/map/map.ts → lib/control/registry.ts',
    'error layer-util: lib/util/clock.ts → lib/primitives/duration.ts',
    'error no-circular: lib/primitives/ring.ts → lib/primitives/slot.ts',
    'error no-orphans: lib/util/unused.ts → lib/util/unused.ts',
    'error no-parent-imports-a-runtime: lib/runners/process/runner.ts → lib/runners/process/runtime.ts',
    'error not-to-dev-dep: lib/control/registry.ts → p-limit',
    'error not-to-unresolvable: lib/manager/job.ts → ./missing.js',
    'error optional-peers-through-peers-ts: lib/remote/queue.ts → bullmq',
    'error outside-the-layers: lib/index.ts → lib/widgets/widget.ts',
    'error root-files-import-only-util: lib/errors.ts → lib/primitives/ring.ts',
    'error runtime-imports-only-child-code: lib/runners/process/runtime.ts → lib/runners/spec.ts',
  ])
  const cycle = violations.find((v) => v.rule.name === 'no-circular') as Violation & { cycle: { name: string }[] }
  t.same(cycle.cycle.map((step) => step.name), ['lib/primitives/slot.ts', 'lib/primitives/ring.ts'], 'the whole cycle is named')
})

t.test('the command npm test runs fails on them, with a one-line summary', async (t) => {
  const { code, stdout } = await depcruise(FIXTURE, 'err')
  t.equal(code, 12, 'its exit code is the number of errors')
  t.match(stdout, /^x 12 dependency violations \(12 errors, 0 warnings\)\. 20 modules, 24 dependencies cruised\.$/m)
})

t.test('no file in lib/ is over 300 lines', async (t) => {
  const files = readdirSync(root('lib'), { recursive: true, encoding: 'utf8' }).filter((file) => /\.c?ts$/.test(file))
  t.ok(files.length > 100, `${files.length} files read`)
  const long = files
    .map((file) => ({ file, lines: readFileSync(root(`lib/${file}`), 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > 300)
  t.same(long.map(({ file, lines }) => `lib/${file}: ${lines} lines`), [])
})
