import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('--help, --version', async (t) => {
  const help = await forkpool(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: forkpool/)
  const { readFileSync } = await import('node:fs')
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  t.equal((await forkpool(['--version'])).stdout, `forkpool ${version}\n`)
})

t.test('an error outside any job (a joblog that cannot be written) exits 255 with one line', async (t) => {
  const run = await forkpool(['--joblog', '/no/such/dir/log', 'true', ':::', 'a'])
  t.equal(run.code, 255)
  t.match(run.stderr, /^forkpool: ENOENT: no such file or directory, open '\/no\/such\/dir\/log'\n$/)
})
