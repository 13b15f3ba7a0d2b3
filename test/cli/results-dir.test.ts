import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('--results DIR keeps each job\'s stdout, stderr, exit code and command', async (t) => {
  const dir = t.testdir()
  const run = await forkpool(['--results', `${dir}/out`, 'sh', '-c', 'echo out $0; echo err $0 >&2; exit $0', ':::', '0', '3'])
  t.equal(run.code, 1)
  const { readFileSync } = await import('node:fs')
  const read = (seq: number, file: string): string => readFileSync(`${dir}/out/${seq}/${file}`, 'utf8')
  t.equal(read(1, 'stdout'), 'out 0\n')
  t.equal(read(2, 'stderr'), 'err 3\n')
  t.equal(read(1, 'exitcode'), '0\n')
  t.equal(read(2, 'exitcode'), '3\n')
  t.equal(read(2, 'cmd'), "sh -c 'echo out $0; echo err $0 >&2; exit $0' 3\n")
  t.match(run.stdout, /out 0\n/, 'output is printed as well')
})

t.test('--results exitcode is $? as sh gives it: 128 + signal, 127 for a program that never ran', async (t) => {
  const dir = t.testdir()
  const run = await forkpool(['-k', '--results', dir, '{}', ':::', 'no-such-program-xyz', 'sh'])
  t.equal(run.code, 1)
  const killed = await forkpool(['--results', `${dir}/sig`, 'sh', '-c', 'kill -TERM $$', ':::', 'x'])
  t.equal(killed.code, 1)
  const { readFileSync } = await import('node:fs')
  t.equal(readFileSync(`${dir}/1/exitcode`, 'utf8'), '127\n')
  t.equal(readFileSync(`${dir}/2/exitcode`, 'utf8'), '0\n')
  t.equal(readFileSync(`${dir}/sig/1/exitcode`, 'utf8'), '143\n')
})

t.test('--results that cannot be written stops the run: one line, exit 255, no child left', async (t) => {
  const marker = 'sleep 92.77'
  // A file where the directory should be; job 2 is still running when job 1 cannot be recorded.
  const run = await forkpool(['-j', '2', '--results', '/etc/hostname/results', 'sh', '-c', `test $0 = 1 || ${marker}`, ':::', '1', '2', '3'])
  t.equal(run.code, 255)
  t.match(run.stderr, /^forkpool: ENOTDIR: not a directory, mkdir '\/etc\/hostname\/results\/1'\n$/)
  const { processesMatching } = await import('../helpers/paths.js')
  t.same(await processesMatching(marker), [], 'job 2 was stopped, job 3 never started')
})
