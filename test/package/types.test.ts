// The published types as a TypeScript user meets them: test/fixtures/types/typed-results.ts is
// type-checked against dist/'s .d.ts files with no @types/node (types: []) and skipLibCheck off.
// It holds `@ts-expect-error` lines, so a type that got looser fails the check as surely as one
// that broke.

import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

const ROOT = new URL('../..', import.meta.url).pathname
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc')

t.test('start<T>() types result.data, WorkerData reads a worker function, and no @types/node is needed', async (t) => {
  const checked = await promisify(execFile)(process.execPath, [TSC, '-p', 'test/fixtures/types/tsconfig.json'], { cwd: ROOT }).then(
    () => 'ok',
    (error: { stdout: string }) => error.stdout
  )
  t.equal(checked, 'ok', 'tsc finds no error in test/fixtures/types/typed-results.ts')
})
