import t from 'tap'
import { HaltTracker, parseHalt } from '../../dist/lib/cli/halt.js'
import { UsageError } from '../../dist/lib/cli/usage.js'
import { forkpool } from '../helpers/cli.js'

t.test('parseHalt: GNU parallel\'s forms and shorthands', async (t) => {
  t.same(parseHalt('now,fail=1'), { when: 'now', on: 'fail', count: 1 })
  t.same(parseHalt('soon,fail=3'), { when: 'soon', on: 'fail', count: 3 })
  t.same(parseHalt('now,fail=20%'), { when: 'now', on: 'fail', percent: 20 })
  t.same(parseHalt('soon,success=2'), { when: 'soon', on: 'success', count: 2 })
  t.same(parseHalt('now,done=1'), { when: 'now', on: 'done', count: 1 })
  t.equal(parseHalt('never'), null)
  t.equal(parseHalt('0'), null)
  t.same(parseHalt('1'), { when: 'soon', on: 'fail', count: 1 })
  t.same(parseHalt('2'), { when: 'now', on: 'fail', count: 1 })
  t.same(parseHalt('-1'), { when: 'soon', on: 'success', count: 1 })
  t.same(parseHalt('-2'), { when: 'now', on: 'success', count: 1 })
  t.same(parseHalt('30%'), { when: 'soon', on: 'fail', percent: 30 })
  for (const bad of ['later,fail=1', 'now', 'now,fail', 'now,fail=x', 'now,fail=0', 'now,fail=101%', 'now,crash=1']) {
    t.throws(() => parseHalt(bad), UsageError, bad)
  }
})

t.test('HaltTracker: counts, percentages and the exit status GNU parallel gives', async (t) => {
  const one = new HaltTracker(parseHalt('now,fail=1')!, () => 10)
  t.equal(one.record(false, 0), undefined)
  t.equal(one.record(true, 7), 'now')
  t.equal(one.exitStatus, 7, 'fail=1: the failing job\'s own status')
  t.equal(one.record(true, 9), 'now')
  t.equal(one.exitStatus, 7, 'the first trigger decides the status')

  const two = new HaltTracker(parseHalt('soon,fail=2')!, () => 10)
  t.equal(two.record(true, 5), undefined)
  t.equal(two.record(false, 0), undefined)
  t.equal(two.record(true, 5), 'soon')
  t.equal(two.exitStatus, 2, 'fail=N: the number of failed jobs')

  const pct = new HaltTracker(parseHalt('now,fail=50%')!, () => 4)
  t.equal(pct.record(true, 1), undefined)
  t.equal(pct.record(true, 1), 'now')
  t.equal(pct.exitStatus, 50, 'fail=P%: the percentage of jobs failed')

  const ok = new HaltTracker(parseHalt('now,success=2')!, () => 4)
  t.equal(ok.record(false, 0), undefined)
  t.equal(ok.record(true, 3), undefined)
  t.equal(ok.record(false, 0), 'now')
  t.equal(ok.exitStatus, 0)

  const done = new HaltTracker(parseHalt('soon,done=2')!, () => 4)
  t.equal(done.record(false, 0), undefined)
  t.equal(done.record(true, 4), 'soon')
  t.equal(done.exitStatus, 1)
})

t.test('--halt now,fail=1 kills the running jobs and starts no more; exit is the failing job\'s status', async (t) => {
  const run = await forkpool(['-j', '2', '--halt', 'now,fail=1', 'sh', '-c', 'sleep $0; echo done $0; exit 5', ':::', '0.3', '30', '1',
    '2'])
  t.equal(run.code, 5)
  t.equal(run.stdout, 'done 0.3\n', 'the 30 s job was killed, jobs 3 and 4 never started')
  t.match(run.stderr, /forkpool: --halt reached at job 1: starting no more jobs, stopping the running ones/)
})

t.test('--halt soon,fail=1 waits for the running jobs', async (t) => {
  const run = await forkpool(['-j', '2', '--halt', 'soon,fail=1', 'sh', '-c', 'sleep $0; echo done $0; exit 3', ':::', '0.1', '0.8', '0.1',
    '0.1'])
  t.equal(run.code, 3)
  t.equal(run.stdout, 'done 0.1\ndone 0.8\n')
  t.match(run.stderr, /waiting for the running ones/)
})

t.test('--halt now,fail=P% reads every argument first and counts against all jobs', async (t) => {
  const run = await forkpool(['-j', '1', '--halt', 'now,fail=50%', 'sh', '-c', 'echo $0; exit $0'], { input: '1\n0\n1\n1\n0\n0\n' })
  t.equal(run.stdout, '1\n0\n1\n1\n', 'the third failure is half of the six jobs')
  t.equal(run.code, 50, '3 of 6 jobs failed: 50%')
})
