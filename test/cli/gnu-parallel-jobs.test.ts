// The manuals' examples (--pipe, --delay, --timeout, --load, --memfree, --nice, -P, -j 0, --retries, --halt) through forkpool and GNU
// parallel side by side,
// where GNU parallel is installed (.ci/run installs Debian's 20221122); see test/helpers/gnu-parallel.ts.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { CLI } from '../helpers/cli.js'
import { compareExamples, gnuParallelHere, run, type Example } from '../helpers/gnu-parallel.js'

const EXAMPLES: Example[] = [
  // --pipe
  { name: 'parallel(1): --pipe -N3 wc -l', args: ['-k', '--pipe', '-N3', 'wc', '-l'], input: '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n' },
  {
    name: 'parallel(1): --pipe --block 6', args: ['-k', '--pipe', '--block', '6', 'cat; echo --'], input: '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n',
    shell: true,
  },
  { name: 'parallel(1): --pipe --recstart', args: ['-k', '--pipe', '--recstart', 'A', '-N1', 'wc', '-l'], input: 'A1\nx\nA2\ny\nA3\n' },
  { name: 'parallel(1): --pipe --recend ;', args: ['-k', '--pipe', '--recend', ';', '-N2', 'cat; echo'], input: 'a;b;c;d;e;', shell: true },
  // Running jobs.
  { name: 'tutorial: --delay', args: ['-k', '--delay', '0.2', 'echo', 'Starting', ':::', '1', '2', '3'] },
  // sleep 5 against a 1 s timeout, not 2: GNU parallel looks at its timeouts between naps that grow
  // on a busy machine, and once let a 2 s job finish (a fresh-clone CI run).
  { name: 'tutorial: --timeout', args: ['-k', '--timeout', '1', 'sleep {}; echo {}', ':::', '0.1', '5', '0.2'], shell: true },
  {
    name: 'tutorial: --load (a limit this loaded machine meets: forkpool reads the load average, GNU counts running processes)',
    args: ['--load', '100000%', 'echo', 'load', 'is', 'less', 'than', '{}', 'job', 'per', 'cpu', ':::', '1'],
  },
  { name: 'tutorial: --memfree', args: ['--memfree', '1M', 'echo', 'will', 'run', 'if', 'more', 'than', '1', 'MB', 'is', ':::', 'free'] },
  { name: 'tutorial: --nice 17', args: ['--nice', '17', 'sh', '-c', 'echo niceness $(nice)', ':::', 'x'] },
  { name: '-P 2 (= -j)', args: ['-P', '2', '-k', 'echo', ':::', 'a', 'b', 'c'] },
  { name: '-j 0 (as many as possible)', args: ['-j', '0', '-k', 'echo', ':::', 'a', 'b', 'c'] },
  {
    name: 'tutorial: --retries 3', args: ['-k', '--retries', '3', 'echo tried {} >>runs; echo completed {}; exit {}', ':::', '1', '2', '0'],
    shell: true, files: 'sorted',
  },
  {
    name: 'tutorial: --halt soon,fail=1 (-j1: with -j2 whether job 4 has started is a race)',
    args: ['-j1', '--halt', 'soon,fail=1', 'echo {}; exit {}', ':::', '0', '0', '1', '2', '3'], shell: true,
  },
  {
    name: 'tutorial: --halt now,success=1',
    args: ['-j1', '--halt', 'now,success=1', 'echo {}; exit {}', ':::', '1', '2', '3', '0', '4', '5', '6'], shell: true,
  },
  { name: '--halt -1 as two words', args: ['-j1', '--halt', '-1', 'sh', '-c', 'echo $0; exit $0', ':::', '1', '0', '2'] },
  { name: '--halt -2 as two words', args: ['-j1', '--halt', '-2', 'sh', '-c', 'echo $0; exit $0', ':::', '1', '0', '2'] },
  { name: 'exit statuses and output', args: ['-k', 'sh', '-c', 'echo out $0; exit $0', ':::', '0', '1', '2', '0', '7'] },
  { name: 'more than one failure', args: ['-k', 'false', ':::', '1', '2', '3', '4'] },
]

t.test('the manuals\' examples through forkpool and GNU parallel: stdout, exit status, stderr and files where they matter',
  (t) => compareExamples(t, EXAMPLES))

t.test('the joblog: Exitval per job, as GNU parallel writes it; --resume-failed runs the failed ones again', async (t) => {
  if (!gnuParallelHere(t)) return
  const dir = t.testdir()
  const exitvals = (log: string): string[] => readFileSync(log, 'utf8').trimEnd().split('\n').slice(1)
    .map((line) => line.split('\t')).sort((a, b) => Number(a[0]) - Number(b[0])).map((row) => `${row[0]}:${row[6]}`)
  for (const [who, program, pre] of [['ours', process.execPath, [CLI]], ['theirs', 'parallel', ['--will-cite', '--quote']]] as const) {
    const first = await run(program, [...pre, '--joblog', `${dir}/${who}`, 'sh', '-c', 'exit $0', ':::', '1', '2', '3', '0'], dir)
    t.equal(first.code, 3, `${who}: three failed`)
    const again = await run(program,
      [...pre, '--resume-failed', '--joblog', `${dir}/${who}`, 'sh', '-c', 'echo $0; exit 0', ':::', '1', '2', '3', '0', '0', '0'], dir)
    t.equal(again.code, 0, `${who}: --resume-failed`)
    t.same(again.stdout.toString().split('\n').sort(), ['', '0', '0', '1', '2', '3'], `${who}: the failed and the new jobs ran`)
  }
  t.same(exitvals(`${dir}/ours`), exitvals(`${dir}/theirs`), 'the joblogs agree')
})
