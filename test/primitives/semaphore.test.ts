import t from 'tap'
import { Semaphore } from '../../dist/lib/primitives/semaphore.js'

t.test('hands out permits up to its capacity, first come first served', async (t) => {
  const sem = new Semaphore(2)
  t.equal(sem.capacity, 2)
  t.ok(sem.tryAcquire())
  await sem.acquire()
  t.equal(sem.held, 2)
  t.notOk(sem.tryAcquire())
  const order: number[] = []
  const a = sem.acquire().then(() => order.push(1))
  const b = sem.acquire().then(() => order.push(2))
  t.equal(sem.waiting, 2)
  t.notOk(sem.tryAcquire(), 'does not jump the queue')
  sem.release()
  sem.release()
  await Promise.all([a, b])
  t.same(order, [1, 2])
  t.equal(sem.held, 2)
})

t.test('raising the capacity wakes waiters; lowering it waits for releases', async (t) => {
  const sem = new Semaphore(1)
  await sem.acquire()
  const waiting = sem.acquire()
  sem.capacity = 2
  await waiting
  t.equal(sem.held, 2)
  sem.capacity = 1
  sem.release()
  t.notOk(sem.tryAcquire(), 'still at the new capacity')
  sem.release()
  t.ok(sem.tryAcquire())
})

t.test('a waiting acquire can be cancelled by a signal or a timeout', async (t) => {
  const sem = new Semaphore(1)
  await sem.acquire()
  const ac = new AbortController()
  const cancelled = sem.acquire({ signal: ac.signal })
  const behind = sem.acquire()
  ac.abort(new Error('gave up'))
  await t.rejects(cancelled, { message: 'gave up' })
  t.equal(sem.waiting, 1, 'the cancelled waiter left the line')
  await t.rejects(sem.acquire({ timeoutMs: 20 }), { name: 'TimeoutError', message: /timed out after 20 ms/ })
  await t.rejects(sem.acquire({ signal: AbortSignal.abort('already') }), 'already')
  const both = new AbortController()
  const timedOrAborted = sem.acquire({ signal: both.signal, timeoutMs: 10_000 })
  both.abort('user')
  await t.rejects(timedOrAborted, 'user')
  sem.release()
  await behind
  t.equal(sem.held, 1)
})

t.test('an abort makes room for the waiters behind it when capacity grew meanwhile', async (t) => {
  const sem = new Semaphore(0)
  const ac = new AbortController()
  const first = sem.acquire({ signal: ac.signal })
  const second = sem.acquire()
  ac.abort('no')
  await t.rejects(first)
  sem.capacity = 1
  await second
  t.equal(sem.held, 1)
})

t.test('lock() gives a permit that releases once, also through using', async (t) => {
  const sem = new Semaphore(1)
  {
    using permit = await sem.lock()
    t.equal(sem.held, 1)
    permit.release()
    t.equal(sem.held, 0)
    await sem.acquire()
  }
  t.equal(sem.held, 1, 'the second release of the same permit did nothing')
  sem.release()
  {
    using _permit = await sem.lock({ timeoutMs: 100 })
    t.equal(sem.held, 1)
  }
  t.equal(sem.held, 0)
})

t.test('bad use throws at the call', async (t) => {
  t.throws(() => new Semaphore(-1), { name: 'RangeError', message: /Semaphore capacity must be a whole number >= 0, got -1/ })
  t.throws(() => new Semaphore(1.5), RangeError)
  t.throws(() => new Semaphore('2' as unknown as number), { name: 'TypeError', message: /got "2"/ })
  const sem = new Semaphore(1)
  t.throws(() => (sem.capacity = NaN), RangeError)
  t.throws(() => sem.release(), { message: /more times than acquire/ })
  t.throws(() => sem.acquire({ timeoutMs: -5 }), RangeError)
  t.throws(() => sem.acquire({ timeoutMs: 'soon' as unknown as number }), TypeError)
  t.throws(() => sem.acquire({ timeout: 5 } as never), {
    name: 'TypeError', message: '"timeout" is not a Semaphore.acquire() option; did you mean timeoutMs?',
  })
  t.throws(() => sem.acquire({ signal: 'x' } as never), {
    name: 'TypeError', message: 'Semaphore.acquire() signal must be an AbortSignal, got "x"',
  })
  t.throws(() => sem.acquire({ signal: null } as never), {
    name: 'TypeError', message: 'Semaphore.acquire() signal must be an AbortSignal, got null',
  })
  await t.rejects(sem.lock({ sigal: AbortSignal.abort() } as never), {
    name: 'TypeError', message: '"sigal" is not a Semaphore.lock() option; did you mean signal?',
  })
  t.equal(sem.held, 0, 'no refused call took a permit')
})

t.test('an already aborted signal rejects even when a permit is free', async (t) => {
  const sem = new Semaphore(1)
  await t.rejects(sem.acquire({ signal: AbortSignal.abort('unwanted') }), 'unwanted')
  t.equal(sem.held, 0, 'no permit was taken')
})
