// docs/api is generated from the code's TSDoc by TypeDoc (`npm run docs:api`). This test
// generates it again into a temporary folder and fails when the committed reference is out of
// date, or when TypeDoc warns (typedoc.json: a public export without a doc comment, a public type
// that is not exported, a broken {@link}).

import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

const ROOT = new URL('../..', import.meta.url).pathname
const TYPEDOC = path.join(ROOT, 'node_modules/typedoc/bin/typedoc')
const COMMITTED = path.join(ROOT, 'docs/api')

const files = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).sort()

t.test('docs/api is what TypeDoc makes of the code today, with no warning', async (t) => {
  const out = t.testdir()
  const run = await promisify(execFile)(process.execPath, [TYPEDOC, '--out', out], { cwd: ROOT }).then(
    (r) => ({ ok: true, text: r.stdout + r.stderr }),
    (error: { stdout: string; stderr: string }) => ({ ok: false, text: error.stdout + error.stderr })
  )
  t.ok(run.ok, `typedoc ran with no warning:\n${run.text}`)
  const fresh = files(out)
  t.same(files(COMMITTED), fresh, 'the same pages (run npm run docs:api)')
  const stale = fresh.filter((f) => readFileSync(path.join(out, f), 'utf8') !== readFileSync(path.join(COMMITTED, f), 'utf8'))
  t.same(stale, [], 'pages that differ from the code (run npm run docs:api)')
})
