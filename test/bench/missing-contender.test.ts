// A suite whose external contender (GNU parallel, xargs) is not installed leaves that contender
// and the targets that compare with it out of the run, with a note, instead of failing.

import t from 'tap'
import { onlyContenders, withoutMissing } from '../../dist/bench/harness.js'
import { markdownSuite } from '../../dist/bench/report.js'
import { baselineHas, bench } from '../../dist/bench/run.js'
import { suite as cli } from '../../dist/bench/suites/cli.js'

t.test('a contender whose program is missing is left out with its targets, and a note says why', async (t) => {
  const { suite, notes } = withoutMissing(cli, (program) => program !== 'parallel')
  t.same(suite.contenders, ['forkpool', 'xargs'])
  t.same(suite.targets, [], 'the target against GNU parallel goes with it')
  t.same(notes, ['gnu-parallel left out: `parallel` is not installed here'])
  t.same(cli.contenders, ['forkpool', 'gnu-parallel', 'xargs'], 'the registered suite is not changed')
})

t.test('with every program there, the suite is unchanged', async (t) => {
  const { suite, notes } = withoutMissing(cli, () => true)
  t.equal(suite, cli)
  t.same(notes, [])
})

t.test('the report prints the note under the table', async (t) => {
  const text = markdownSuite({
    name: 'cli', title: 'x', unit: 'ms', better: 'lower', quick: false, rounds: 1, targets: [],
    notes: ['gnu-parallel left out: `parallel` is not installed here'],
    contenders: [{ name: 'forkpool', figures: [1], median: 1, min: 1, max: 1, ratio: 1 }],
  })
  t.match(text, /\n- gnu-parallel left out: `parallel` is not installed here\n/)
})

t.test('--contenders keeps forkpool and the named ones, and only the targets that name theirs', async (t) => {
  const only = onlyContenders(cli, ['xargs'])
  t.same(only.contenders, ['forkpool', 'xargs'])
  t.same(only.targets, [], 'the target against GNU parallel goes')
  t.same(onlyContenders(cli, ['gnu-parallel']).targets?.map((target) => target.uses), [['gnu-parallel']],
    'the one naming gnu-parallel stays')
  t.same(onlyContenders(cli, ['forkpool']).contenders, ['forkpool'])
  t.same(onlyContenders(cli, ['piscina']).contenders, ['forkpool'], 'a name the suite lacks is ignored')
})

t.test('a before/after run leaves out the suites the older build lacks, and refuses an unknown contender', async (t) => {
  const old = t.testdir({ dist: { bench: { suites: { 'spawn.js': '' } } } })
  t.equal(baselineHas(old, 'spawn'), true)
  t.equal(baselineHas(old, 'spawn-big-parent'), false)
  await t.rejects(bench({ suites: ['spawn'], contenders: ['forkpol'], baseline: old }), /no contender named forkpol; there are: forkpool, /)
})
