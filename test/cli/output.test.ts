import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test("each job's output is printed whole, never interleaved with another's", async (t) => {
  const script = 'for i in 1 2 3 4 5; do echo "$1-$i"; sleep 0.02; done; echo "$1-err" >&2'
  const run = await forkpool(['-j', '4', 'sh', '-c', script, 'sh', ':::', 'a', 'b', 'c', 'd'])
  t.equal(run.code, 0)
  const blocks = run.stdout.match(/(.)-1\n\1-2\n\1-3\n\1-4\n\1-5\n/g) ?? []
  t.equal(blocks.length, 4, 'four whole blocks of five lines')
  t.equal(run.stdout.length, 4 * 20)
  t.same(run.stderr.trim().split('\n').sort(), ['a-err', 'b-err', 'c-err', 'd-err'])
})

t.test('output as jobs finish, or in input order with -k', async (t) => {
  const args = ['-j', '3', 'sh', '-c', 'sleep $0; echo $0', ':::', '0.6', '0.3', '0.01']
  t.equal((await forkpool(args)).stdout, '0.01\n0.3\n0.6\n')
  t.equal((await forkpool(['-k', ...args])).stdout, '0.6\n0.3\n0.01\n')
})

t.test('--line-buffer lets each job write straight through while it runs', async (t) => {
  const run = await forkpool(['--line-buffer', '-j', '2', 'sh', '-c', 'echo $0-start; sleep 0.3; echo $0-end', ':::', 'a', 'b'])
  const lines = run.stdout.trim().split('\n')
  t.same(lines.slice(0, 2).sort(), ['a-start', 'b-start'], 'both jobs wrote before either finished')
  t.same(lines.slice(2).sort(), ['a-end', 'b-end'])
})

import { OrderedPrinter } from '../../dist/lib/cli/output.js'

t.test('OrderedPrinter: at once, or held until every earlier job is printed', async (t) => {
  const printed: string[] = []
  const now = new OrderedPrinter(false, (o) => printed.push(o.stdout))
  now.deliver(2, { stdout: 'two', stderr: '' })
  now.deliver(1, { stdout: 'one', stderr: '' })
  t.same(printed, ['two', 'one'])
  printed.length = 0
  const ordered = new OrderedPrinter(true, (o) => printed.push(o.stdout + o.stderr))
  ordered.deliver(3, { stdout: 'three', stderr: '' })
  ordered.deliver(2, { stdout: 'two', stderr: '!' })
  t.same(printed, [])
  ordered.deliver(1, { stdout: 'one', stderr: '' })
  t.same(printed, ['one', 'two!', 'three'])
  ordered.deliver(4, { stdout: 'four', stderr: '' })
  t.same(printed, ['one', 'two!', 'three', 'four'])
})

import { writeFileSync } from 'node:fs'
import { startCli } from '../helpers/cli.js'
import { processesMatching } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'

t.test('stdout closed by its reader (| head -1): the jobs are stopped, no child left, exit 255', async (t) => {
  const dir = t.testdir()
  const marker = 'sleep 92.41'
  // first ends at once; second ends once the test says so (its output then meets the closed pipe); third runs on.
  const script = `echo $0; case $0 in first) ;; second) while [ ! -e ${dir}/go ]; do sleep 0.05; done ;; *) ${marker} ;; esac`
  const { child, done } = startCli(['-j', '3', 'sh', '-c', script, ':::', 'first', 'second', 'third'])
  await new Promise((resolve) => child.stdout!.once('data', resolve))
  child.stdout!.destroy()
  t.ok(await eventually(async () => (await processesMatching(marker)).length > 0, 10_000), 'the third job is running')
  writeFileSync(`${dir}/go`, '')
  const run = await done
  t.equal(run.code, 255)
  t.match(run.stderr, /forkpool: stdout was closed: stopped the jobs\n/)
  t.same(await processesMatching(marker), [], 'no child left')
})
