import t from 'tap'
import { formatBar, formatSeconds, ProgressBar, summary } from '../../dist/lib/cli/progress.js'
import { forkpool } from '../helpers/cli.js'

t.test('formatSeconds', async (t) => {
  t.equal(formatSeconds(4_400), '4s')
  t.equal(formatSeconds(125_000), '2m05s')
  t.equal(formatSeconds(3_725_000), '1h02m')
})

t.test('formatBar: bar, percentage, counts, failures and ETA within the width', async (t) => {
  // The bar takes the width the text leaves: 40 - 16 - 2 brackets = 22 cells, half of them filled.
  t.equal(formatBar({ done: 5, failed: 0, total: 10, elapsedMs: 5000 }, 40), `[${'#'.repeat(11)}${'.'.repeat(11)}] 50% 5/10 ETA 5s`)
  t.equal(formatBar({ done: 0, failed: 0, total: 10, elapsedMs: 0 }, 30), `[${'.'.repeat(14)}] 0% 0/10 ETA ?`)
  t.equal(formatBar({ done: 3, failed: 1, total: 3, elapsedMs: 10 }, 80).endsWith('100% 3/3 1 failed ETA 0s'), true)
  t.equal(formatBar({ done: 0, failed: 0, total: 0, elapsedMs: 0 }, 80).includes('100% 0/0'), true)
  t.equal(formatBar({ done: 2, failed: 1, total: undefined, elapsedMs: 0 }, 80), '2/? 1 failed')
  t.equal(formatBar({ done: 5, failed: 0, total: 10, elapsedMs: 5000 }, 12).length, 12, 'cut to the width')
})

t.test('summary', async (t) => {
  t.equal(summary({ done: 1, failed: 0, total: 1, elapsedMs: 1500 }), 'forkpool: 1 job in 1.5s: 1 succeeded, 0 failed')
  t.equal(summary({ done: 4, failed: 1, total: 4, elapsedMs: 20 }), 'forkpool: 4 jobs in 0.0s: 3 succeeded, 1 failed')
})

t.test('ProgressBar: throttled redraws in place, clear, finish', async (t) => {
  let now = 1000
  const writes: string[] = []
  const bar = new ProgressBar({ write: (s: string) => writes.push(s), columns: 60 }, { now: () => now })
  bar.clear()
  t.same(writes, [], 'nothing to clear before the first draw')
  bar.update({ total: 4 }, true)
  // eslint-disable-next-line no-control-regex -- the terminal's escape sequence is what is checked
  t.match(writes.pop(), /^\r\[\.+\] 0% 0\/4 ETA \?\x1b\[K$/)
  now += 50
  bar.update({ done: 1 })
  t.same(writes, [], 'no redraw within 100 ms')
  now += 100
  bar.update({ done: 2 })
  // eslint-disable-next-line no-control-regex -- the terminal's escape sequence is what is checked
  t.match(writes.pop(), /^\r\[#+\.+\] 50% 2\/4 ETA 0s\x1b\[K$/)
  bar.clear()
  t.equal(writes.pop(), '\r\x1b[K')
  bar.redraw()
  t.match(writes.pop(), /50% 2\/4/)
  now += 1050
  bar.update({ done: 4, failed: 1 })
  bar.finish()
  t.equal(writes.pop(), '\nforkpool: 4 jobs in 1.2s: 3 succeeded, 1 failed\n')
  const plain = new ProgressBar({ write: (s: string) => writes.push(s) })
  plain.update({ total: 1 }, true)
  t.ok(writes.pop()!.length <= 80 + 5, 'an 80-column default without a known width')
  const unsized = new ProgressBar({ write: (s: string) => writes.push(s), columns: 0 })
  unsized.update({ total: 2, done: 2 }, true)
  // eslint-disable-next-line no-control-regex -- the terminal's escape sequence is what is checked
  t.match(writes.pop(), /^\r\[#{40}\] 100% 2\/2 ETA 0s\x1b\[K$/, 'a terminal of 0 columns (a pty nobody sized): 80, not "[]"')
})

t.test('ProgressBar without animation (--bar, stderr not a terminal): only the summary line', async (t) => {
  let now = 0
  const writes: string[] = []
  const bar = new ProgressBar({ write: (s: string) => writes.push(s) }, { animate: false, now: () => now })
  t.equal(bar.animate, false)
  bar.update({ total: 2 }, true)
  bar.update({ done: 2, failed: 1 }, true)
  bar.clear()
  bar.redraw()
  now = 2500
  bar.finish()
  t.same(writes, ['forkpool: 2 jobs in 2.5s: 1 succeeded, 1 failed\n'])
})

t.test('--force-bar draws on stderr whatever it is; --bar on a stderr that is not a terminal prints the summary line only', async (t) => {
  const forced = await forkpool(['--force-bar', '-k', 'echo', ':::', 'a', 'b', 'c'])
  t.equal(forced.stdout, 'a\nb\nc\n')
  t.match(forced.stderr, /\r\[\.+\] 0% 0\/3 ETA \?/)
  t.match(forced.stderr, /100% 3\/3/)
  t.match(forced.stderr, /\nforkpool: 3 jobs in \d+\.\ds: 3 succeeded, 0 failed\n$/)
  const notATerminal = await forkpool(['--bar', 'echo', ':::', 'a'])
  t.match(notATerminal.stderr, /^forkpool: 1 job in \d+\.\ds: 1 succeeded, 0 failed\n$/, 'stderr is a pipe here: no bar, the summary line')
  t.equal(notATerminal.stdout, 'a\n')
  const failing = await forkpool(['--eta', 'false', ':::', 'a', 'b'])
  t.equal(failing.code, 2)
  t.match(failing.stderr, /^forkpool: 2 jobs in \d+\.\ds: 0 succeeded, 2 failed\n$/, '--eta is --bar')
})
