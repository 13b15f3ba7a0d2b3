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

t.test('--line-buffer prints whole lines as jobs write them; never half a line of one job beside another', async (t) => {
  // Each job writes half a line, waits, then ends it: the halves must not meet.
  const script = 'printf "$0-start "; sleep 0.4; echo "$0-end"; echo "$0-more"; printf "$0-last"'
  const run = await forkpool(['--line-buffer', '-j', '3', 'sh', '-c', script, ':::', 'a', 'b', 'c'])
  for (const job of ['a', 'b', 'c']) t.match(run.stdout, `${job}-start ${job}-end\n${job}-more\n`, `${job}: whole lines only`)
  t.equal(run.stdout.match(/-last/g)?.length, 3, 'a last line without newline is printed when its job ends')
  const lineByLine = await forkpool(['--line-buffer', '-j', '2', 'sh', '-c', 'echo $0-start; sleep 0.6; echo $0-end', ':::', 'a', 'b'])
  const order = lineByLine.stdout.trim().split('\n')
  t.same(order.slice(0, 2).sort(), ['a-start', 'b-start'], 'both jobs\' first lines came before either finished')
  t.same(order.slice(2).sort(), ['a-end', 'b-end'])
  const stderr = await forkpool(['--line-buffer', '--tag', 'sh', '-c', 'echo out; echo err >&2', ':::', 'x'])
  t.equal(stderr.stdout, 'x\tout\n')
  t.equal(stderr.stderr, 'x\terr\n')
})

t.test('-u/--ungroup lets jobs write straight through: half lines of jobs may meet', async (t) => {
  const run = await forkpool(['-u', '-j', '2', 'sh', '-c', 'printf "$0-start "; sleep 0.4; echo "$0-end"', ':::', 'a', 'b'])
  t.match(run.stdout, /^[ab]-start [ab]-start /, 'both halves came before either line ended')
})

t.test('binary output passes byte for byte through -k and default grouping (all 256 byte values)', async (t) => {
  const octal = Array.from({ length: 256 }, (_, i) => `\\${i.toString(8).padStart(3, '0')}`)
  const expected = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  for (const mode of [['-k'], [], ['--line-buffer']]) {
    const bytes = await forkpoolBytes([...mode, '-j', '4', 'printf', ':::', ...octal])
    t.same(mode[0] === '-k' ? bytes : Buffer.from([...bytes].sort((a, b) => a - b)), expected, mode.join(' ') || 'grouped')
  }
})

t.test('--tag and --tagstring put a prefix and a TAB before every line', async (t) => {
  const run = await forkpool(['-k', '--tag', 'printf', 'one\\ntwo', ':::', 'a', 'b'])
  t.equal(run.stdout, 'a\tone\na\ttwob\tone\nb\ttwo')
  const custom = await forkpool(['-k', '--tagstring', '{#}:{2}', 'echo', ':::', 'a', ':::', 'x'])
  t.equal(custom.stdout, '1:x\ta x\n')
})

import { spawn } from 'node:child_process'
import { CLI } from '../helpers/cli.js'
import { OrderedPrinter, tagLines } from '../../dist/lib/cli/output.js'

/** stdout as bytes. */
function forkpoolBytes(args: string[]): Promise<Buffer> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const chunks: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  return new Promise((resolve) => child.on('close', () => resolve(Buffer.concat(chunks))))
}

t.test('tagLines: before every line, the last one too', async (t) => {
  t.equal(tagLines(Buffer.from('a\nb'), Buffer.from('> ')).toString(), '> a\n> b')
  t.equal(tagLines(Buffer.from('a\n'), Buffer.from('> ')).toString(), '> a\n')
  t.equal(tagLines(Buffer.from(''), Buffer.from('> ')).toString(), '')
  t.equal(tagLines(Buffer.from('x'), undefined).toString(), 'x')
})

t.test('OrderedPrinter: at once, or held until every earlier job is printed', async (t) => {
  const printed: string[] = []
  const out = (stdout: string, stderr = '') => ({ stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) })
  const now = new OrderedPrinter(false, (o) => printed.push(o.stdout.toString()))
  now.deliver(2, out('two'))
  now.deliver(1, out('one'))
  t.same(printed, ['two', 'one'])
  printed.length = 0
  const ordered = new OrderedPrinter(true, (o) => printed.push(o.stdout.toString() + o.stderr.toString()))
  ordered.deliver(3, out('three'))
  ordered.deliver(2, out('two', '!'))
  t.same(printed, [])
  ordered.deliver(1, out('one'))
  t.same(printed, ['one', 'two!', 'three'])
  ordered.deliver(4, out('four'))
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
