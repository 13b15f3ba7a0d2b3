import t from 'tap'
import { WaitGroup } from '../../dist/lib/index.js'

t.test('an empty group resolves wait() at once', async (t) => {
  const wg = new WaitGroup()
  t.equal(wg.count, 0)
  await wg.wait()
  t.pass()
})

t.test('wait() resolves once every begin() has its end()', async (t) => {
  const wg = new WaitGroup()
  wg.begin()
  wg.begin(2)
  t.equal(wg.count, 3)
  let done = false
  const waiters = [wg.wait(), wg.wait()].map((p) => p.then(() => (done = true)))
  wg.end()
  wg.end()
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(done, 'one member left')
  wg.end()
  await Promise.all(waiters)
  t.ok(done)
  t.equal(wg.count, 0)
  // Reusable: a new round begins.
  wg.begin()
  const again = wg.wait()
  setTimeout(() => wg.end(), 20)
  await again
})

t.test('end() without begin() and bad counts throw', async (t) => {
  const wg = new WaitGroup()
  t.throws(() => wg.end(), { message: 'WaitGroup.end() called more times than begin()' })
  t.throws(() => wg.begin(0), { name: 'RangeError', message: 'WaitGroup.begin(n) must be a whole number >= 1, got 0' })
  t.throws(() => wg.begin(1.5), RangeError)
})
