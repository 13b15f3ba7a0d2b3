import t from 'tap'
import { Deadlines } from '../../dist/lib/util/deadlines.js'
import { eventually, sleep } from '../helpers/wait.js'

// The timers are unref'd by design; a ref'd one keeps the test process alive meanwhile.
async function within(ms: number, body: () => Promise<void>): Promise<void> {
  const keepAlive = setTimeout(() => {}, ms)
  try {
    await body()
  } finally {
    clearTimeout(keepAlive)
  }
}

t.test('fires each deadline after its delay, those of one duration in the order they were set; cancelled ones never', async (t) => {
  await within(2000, async () => {
    const deadlines = new Deadlines()
    const fired: string[] = []
    const started = performance.now()
    const at: Record<string, number> = {}
    const mark = (name: string) => () => {
      fired.push(name)
      at[name] = performance.now() - started
    }
    deadlines.after(40, mark('a'))
    const b = deadlines.after(40, mark('b'))
    deadlines.after(40, mark('c'))
    deadlines.after(20, mark('short'))
    deadlines.after(Infinity, mark('never')).cancel()
    b.cancel()
    b.cancel()
    t.equal(deadlines.pending, 3, 'three pending: b was cancelled, Infinity is never pending')
    // b, cancelled, would fire between a and c (one duration, in the order set) if it wrongly did.
    t.ok(await eventually(() => fired.length >= 3, 1500, 5), 'three fired')
    t.same(fired, ['short', 'a', 'c'])
    t.ok(at['short']! >= 19 && at['a']! >= 39 && at['c']! >= 39, `none fired early: ${JSON.stringify(at)}`)
    t.equal(deadlines.pending, 0)
  })
})

t.test('a deadline set after its list head was cancelled fires on time, not with the old head', async (t) => {
  await within(2000, async () => {
    const deadlines = new Deadlines()
    const first = deadlines.after(60, () => t.fail('cancelled'))
    await sleep(20) // the new deadline is set later than the head, so it is due later
    let firedAfter = 0
    const set = performance.now()
    deadlines.after(60, () => (firedAfter = performance.now() - set))
    first.cancel()
    // The timer armed for `first` fires at ~60 ms, finds the new head not due, and waits on.
    t.ok(await eventually(() => firedAfter > 0, 1500, 5), 'the new deadline fired')
    t.ok(firedAfter >= 59, `fired ${firedAfter.toFixed(1)} ms after it was set`)
  })
})

t.test('a fire may set a deadline of the same duration, and cancelling a fired one does nothing', async (t) => {
  await within(2000, async () => {
    const deadlines = new Deadlines()
    const fired: string[] = []
    let first: ReturnType<Deadlines['after']> | undefined
    const done = new Promise<void>((resolve) => {
      first = deadlines.after(10, () => {
        fired.push('first')
        deadlines.after(10, () => {
          fired.push('second')
          resolve()
        })
      })
    })
    await done
    first!.cancel()
    t.same(fired, ['first', 'second'])
    t.equal(deadlines.pending, 0)
  })
})

t.test('a wait past the 24.8-day timer limit is armed in steps', async (t) => {
  const armed: Array<{ fn: () => void; ms: number }> = []
  t.capture(globalThis, 'setTimeout', (fn: () => void, ms: number) => {
    armed.push({ fn, ms })
    return { unref() {} }
  })
  let now = 1_000
  t.capture(performance, 'now', () => now)
  const deadlines = new Deadlines()
  const days30 = 30 * 24 * 3_600_000
  let fired = false
  deadlines.after(days30, () => (fired = true))
  t.equal(armed.length, 1)
  t.equal(armed[0]!.ms, 2 ** 31 - 1, 'the first step is the longest timer Node keeps')
  now += 2 ** 31 - 1
  armed[0]!.fn()
  t.notOk(fired, 'not due yet')
  t.equal(armed[1]!.ms, days30 - (2 ** 31 - 1), 'armed again for the rest')
  now += days30
  armed[1]!.fn()
  t.ok(fired)
})

t.test('pending deadlines do not keep the process alive', async (t) => {
  const { spawnSync } = await import('node:child_process')
  const url = new URL('../../dist/lib/util/deadlines.js', import.meta.url).href
  const started = Date.now()
  const child = spawnSync(process.execPath,
    ['--input-type=module', '-e',
    `const { Deadlines } = await import(${JSON.stringify(url)}); new Deadlines().after(30000, () => process.exit(3))`])
  t.equal(child.status, 0)
  t.ok(Date.now() - started < 10_000, 'it exited without waiting for the deadline')
})
