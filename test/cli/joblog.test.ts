import { readFileSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { JOBLOG_COLUMNS, joblogLine, loggedSeqs } from '../../dist/lib/cli/joblog.js'
import type { JobResult } from '../../dist/lib/index.js'
import { forkpool } from '../helpers/cli.js'

const base: JobResult = {
  ident: '1', kind: 'command', pid: 10, threadId: null, exitCode: 0, signal: null, coreDump: false, data: undefined, error: null,
  timedOut: false, cancelled: false, startedAt: 1_700_000_000_123.4, durationMs: 1234.5, attempts: 1, host: 'this-machine', jobId: null,
}

t.test('joblogLine: GNU parallel\'s columns and number formats', async (t) => {
  t.equal(joblogLine(3, base, 'echo hi', 3), '3\t:\t1700000000.123\t     1.234\t0\t3\t0\t0\techo hi\n')
  t.match(joblogLine(1, { ...base, exitCode: 2 }, 'x', 0), /\t2\t0\tx\n$/)
  t.match(joblogLine(1, { ...base, exitCode: null, signal: 'SIGKILL' }, 'x', 0), /\t0\t9\tx\n$/, 'a signal: Exitval 0, its number')
  t.match(joblogLine(1, { ...base, exitCode: null, signal: 'SIGTERM', timedOut: true }, 'x', 0), /\t-1\t15\tx\n$/, 'a timeout: Exitval -1')
  t.match(joblogLine(1, { ...base, exitCode: null, error: { name: 'Error', message: 'not found' } }, 'x', 0), /\t127\t0\tx\n$/,
    'never ran: 127')
  t.match(joblogLine(1, { ...base, host: 'box-3', jobId: '17' }, 'x', 0), /^1\tbox-3\t/,
    'a job that ran on an agent (it has a queue jobId): Host is its name')
  t.match(joblogLine(1, { ...base, host: 'odd\tname', jobId: '17' }, 'x', 0), /^1\todd\\tname\t/, 'a name with a TAB stays one field')
  t.match(joblogLine(1, base, "printf 'a\tb\nc' x\\y", 0), /\tprintf 'a\\tb\\nc' x\\\\y\n$/, 'one line per record')
})

t.test('loggedSeqs reads the job numbers, skipping the header and junk', async (t) => {
  t.same([...loggedSeqs(`${JOBLOG_COLUMNS.join('\t')}\n1\t:\t0\n7\t:\t0\nnoise\n\n`)], [1, 7])
})

t.test('--joblog writes the header and one record per job, as each job ends', async (t) => {
  const log = `${t.testdir()}/log`
  const before = Date.now() / 1000
  const run = await forkpool(['-k', '--joblog', log, 'sh', '-c', 'printf %s $0; exit $0', ':::', '0', '3'])
  t.equal(run.code, 1)
  const [header, ...records] = readFileSync(log, 'utf8').trimEnd().split('\n')
  t.equal(header, 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')
  t.equal(records.length, 2)
  const rows = records.map((line) => line.split('\t')).sort((a, b) => Number(a[0]) - Number(b[0]))
  for (const [i, row] of rows.entries()) {
    t.equal(row.length, 9)
    t.equal(row[0], String(i + 1))
    t.equal(row[1], ':')
    t.ok(Number(row[2]) >= Math.floor(before) && Number(row[2]) < Date.now() / 1000 + 1, 'Starttime in epoch seconds')
    t.match(row[3], /^ *\d+\.\d{3}$/)
    t.equal(row[4], '0')
    t.equal(row[5], '1', 'Receive: bytes of stdout')
  }
  t.same(rows.map((r) => [r[6], r[7], r[8]]),
    [['0', '0', "sh -c 'printf %s $0; exit $0' 0"], ['3', '0', "sh -c 'printf %s $0; exit $0' 3"]])
})

t.test('--resume skips the jobs the joblog records and appends the rest', async (t) => {
  const dir = t.testdir()
  const log = `${dir}/log`
  writeFileSync(log,
    `${JOBLOG_COLUMNS.join('\t')}\n2\t:\t1.000\t     0.001\t0\t0\t0\t0\techo b\n4\t:\t1.000\t     0.001\t0\t0\t1\t0\techo d\n`)
  const run = await forkpool(['-k', '--joblog', log, '--resume', 'echo', ':::', 'a', 'b', 'c', 'd', 'e'])
  t.equal(run.code, 0)
  t.equal(run.stdout, 'a\nc\ne\n', 'jobs 2 and 4 are done already')
  const seqs = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1).map((line) => line.split('\t')[0])
  t.same(seqs.slice(0, 2), ['2', '4'], 'the old records stay')
  t.same(seqs.slice(2).sort(), ['1', '3', '5'])
  const again = await forkpool(['--joblog', log, '--resume', 'echo', ':::', 'a', 'b', 'c', 'd', 'e'])
  t.equal(again.stdout, '', 'a finished run has nothing left to do')
  // Without a joblog file yet, --resume starts one.
  // --force-bar: a bar that draws (--bar draws only on a terminal) reads every argument first, and leaves out the done ones.
  const fresh = await forkpool(['--joblog', `${dir}/new`, '--resume', '--force-bar', 'echo', ':::', 'x'])
  t.equal(fresh.stdout, 'x\n')
  t.match(fresh.stderr, /1\/1/, 'the bar counts the one job to run')
  t.match(readFileSync(`${dir}/new`, 'utf8'), /^Seq\t/)
})
