// forkpool against GNU parallel itself, where it is installed (.ci/run installs Debian's `parallel`).
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { forkpool } from '../helpers/cli.js'

function gnuParallelInstalled(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v parallel'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function gnuParallel(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('parallel', ['--will-cite', '--quote', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.on('close', (code) => resolve({ code, stdout }))
  })
}

/** The Exitval column, by job number. */
function exitvals(log: string): string[] {
  return readFileSync(log, 'utf8').trimEnd().split('\n').slice(1).map((line) => line.split('\t'))
    .sort((a, b) => Number(a[0]) - Number(b[0])).map((row) => `${row[0]}:${row[6]}`)
}

// GNU parallel runs every command line through a shell; with --quote it quotes the command's
// words, so the program gets the argv forkpool (which uses no shell) gives it.
const RUNS: Array<{ name: string; args: string[] }> = [
  { name: 'exit statuses and output', args: ['-k', 'sh', '-c', 'echo out $0; exit $0', ':::', '0', '1', '2', '0', '7'] },
  { name: 'every combination of two groups', args: ['-k', 'echo', '{2}', '{1}', ':::', 'a', 'b', ':::', 'x', 'y', 'z'] },
  { name: 'replacement strings', args: ['-k', 'echo', '{}', '{.}', '{/}', '{//}', '{/.}', '{#}', ':::', 'dir/f.txt', 'a.b.c', 'plain'] },
  { name: 'arguments with spaces, quotes and $', args: ['-k', 'printf', '[%s]\\n', ':::', 'two words', `it's`, '$HOME', '"q"'] },
  { name: '--halt now,fail=1', args: ['-j', '1', '--halt', 'now,fail=1', 'sh', '-c', 'echo $0; exit $0', ':::', '0', '3', '0'] },
  { name: '--halt soon,fail=2', args: ['-j', '1', '--halt', 'soon,fail=2', 'sh', '-c', 'echo $0; exit $0', ':::', '1', '0', '4', '0'] },
  { name: 'more than one failure', args: ['-k', 'false', ':::', '1', '2', '3', '4'] },
]

t.test('the same runs through forkpool and GNU parallel: stdout (-k), exit status, joblog Exitval', async (t) => {
  if (!gnuParallelInstalled()) {
    t.comment('GNU parallel (Debian package `parallel`) is not installed: the comparison was not run')
    t.pass('GNU parallel not installed: comparison not run')
    return
  }
  const dir = t.testdir()
  for (const [i, { name, args }] of RUNS.entries()) {
    const ours = await forkpool(['--joblog', `${dir}/ours-${i}`, ...args])
    const theirs = await gnuParallel(['--joblog', `${dir}/theirs-${i}`, ...args])
    t.equal(ours.stdout, theirs.stdout, `${name}: stdout`)
    t.equal(ours.code, theirs.code, `${name}: exit status`)
    t.same(exitvals(`${dir}/ours-${i}`), exitvals(`${dir}/theirs-${i}`), `${name}: Exitval`)
  }
})
