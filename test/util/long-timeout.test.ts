import t from 'tap'
import { setLongTimeout } from '../../dist/lib/util/long-timeout.js'
import { sleep } from '../helpers/wait.js'

t.test('fires after the delay', async (t) => {
  const started = Date.now()
  // The timer is unref'd by design; this ref'd one keeps the test process alive meanwhile.
  const keepAlive = setTimeout(() => {}, 1000)
  await new Promise<void>((resolve) => setLongTimeout(resolve, 30))
  clearTimeout(keepAlive)
  t.ok(Date.now() - started >= 29)
})

t.test('can be cancelled, and Infinity never fires', async (t) => {
  let fired = 0
  const cancel = setLongTimeout(() => fired++, 10)
  cancel()
  setLongTimeout(() => fired++, Infinity)()
  // A window in which neither may fire: the cancelled one was due after 10 ms.
  await sleep(40)
  t.equal(fired, 0)
})

t.test('delays past the 24.8-day timer limit re-arm instead of firing at once', async (t) => {
  const armed: Array<{ fn: () => void; ms: number }> = []
  t.capture(globalThis, 'setTimeout', (fn: () => void, ms: number) => {
    armed.push({ fn, ms })
    return { unref() {} }
  })
  let now = 1_000_000
  t.capture(Date, 'now', () => now)
  let fired = false
  setLongTimeout(() => (fired = true), 40 * 86_400_000)
  t.equal(armed.length, 1)
  t.equal(armed[0]!.ms, 2 ** 31 - 1, 'asks for no more than the largest delay Node honours')
  now += 2 ** 31 - 1
  armed[0]!.fn()
  t.equal(fired, false, 'time is left, so it re-armed')
  t.equal(armed.length, 2)
  t.equal(armed[1]!.ms, 40 * 86_400_000 - (2 ** 31 - 1))
  now += armed[1]!.ms
  armed[1]!.fn()
  t.equal(fired, true)
})
