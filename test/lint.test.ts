// The linter (eslint.config.js) catches what it should: ESLint with the project's config, on a file that
// breaks each rule that matters once (test/fixtures/lint/planted.ts, type-checked against its own small
// tsconfig.json rather than the whole tree's). The real tree is checked by `npm run lint`, which `npm test`
// runs first (pretest).
import t from 'tap'
import { execFile } from 'node:child_process'
import { ESLint } from 'eslint'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FIXTURE = 'test/fixtures/lint/planted.ts'
const FIXTURE_PROJECT = 'test/fixtures/lint/tsconfig.json'
const ESLINT = fileURLToPath(new URL('../node_modules/eslint/bin/eslint.js', import.meta.url))

/** ESLint as eslint.config.js sets it up, on the fixture (which that config ignores, being wrong on purpose). */
function eslint(fix = false): ESLint {
  return new ESLint({
    cwd: ROOT,
    ignore: false,
    fix,
    overrideConfig: { languageOptions: { parserOptions: { project: FIXTURE_PROJECT } } },
  })
}

t.test('each rule reports the line of the fixture that breaks it, and nothing else', async (t) => {
  const [result] = await eslint().lintFiles([FIXTURE])
  const found = result!.messages.map(({ line, ruleId, message }) => `${line} ${ruleId ?? message}`)
  t.same(found, [
    '5 @typescript-eslint/no-floating-promises',
    '10 @typescript-eslint/no-misused-promises',
    '14 @typescript-eslint/await-thenable',
    '17 @stylistic/max-len',
    '19 @stylistic/quotes',
    '19 @stylistic/semi',
  ], 'line 6, a promise marked with void as left floating on purpose, passes')
})

t.test('--fix does the mechanical part: quotes and semicolons', async (t) => {
  const [result] = await eslint(true).lintFiles([FIXTURE])
  t.match(result!.output, /^export const style = 'double quotes' \/\/ neostandard/m)
  t.same(result!.messages.map(({ ruleId }) => ruleId).filter((rule) => rule!.startsWith('@stylistic/')), ['@stylistic/max-len'],
    'a long line is left for a person to wrap')
})

t.test('the command npm test runs fails on them', async (t) => {
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const args = [ESLINT, '--no-ignore', '--parser-options', `project:${FIXTURE_PROJECT}`, FIXTURE]
    execFile(process.execPath, args, { cwd: ROOT }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout })
    })
  })
  t.equal(code, 1, 'eslint exits 1 on an error')
  t.match(stdout, /✖ 6 problems \(6 errors, 0 warnings\)/)
})
