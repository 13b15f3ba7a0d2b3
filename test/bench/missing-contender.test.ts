// A suite whose external contender (GNU parallel, xargs) is not installed leaves that contender
// and the targets that compare with it out of the run, with a note, instead of failing.

import t from 'tap'
import { withoutMissing } from '../../dist/bench/harness.js'
import { markdownSuite } from '../../dist/bench/report.js'
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
