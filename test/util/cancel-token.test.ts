// CancelToken (lib/util/cancel-token.ts): the per-job cancellation, an AbortController without an EventTarget.
import t from 'tap'
import { CancelToken } from '../../dist/lib/util/cancel-token.js'
import { Semaphore } from '../../dist/lib/primitives/semaphore.js'

t.test('abort sets aborted and the reason once, and calls each listener once, in order', async (t) => {
  const token = new CancelToken()
  t.equal(token.aborted, false)
  t.equal(token.reason, undefined)
  const calls: string[] = []
  const a = (): void => { calls.push(`a ${String(token.reason)}`) }
  const b = (): void => { calls.push(`b ${String(token.reason)}`) }
  token.addEventListener('abort', a)
  token.addEventListener('abort', b)
  token.addEventListener('abort', a)
  token.abort('first')
  token.abort('second')
  t.equal(token.aborted, true)
  t.equal(token.reason, 'first', 'the first reason wins')
  t.same(calls, ['a first', 'b first'], 'a listener added twice runs once; none runs again on a second abort')
  token.addEventListener('abort', () => calls.push('late'))
  token.abort('third')
  t.same(calls, ['a first', 'b first'], 'a listener added after the abort never runs')
  token.removeEventListener('abort', a)
})

t.test('a removed listener is not called, also when an earlier listener removes it during the abort', async (t) => {
  const token = new CancelToken()
  const calls: string[] = []
  const gone = (): void => { calls.push('gone') }
  const later = (): void => { calls.push('later') }
  token.removeEventListener('abort', gone)
  token.addEventListener('abort', gone)
  token.removeEventListener('abort', gone)
  token.removeEventListener('abort', gone)
  token.addEventListener('abort', () => {
    calls.push('first')
    token.removeEventListener('abort', later)
  })
  token.addEventListener('abort', later)
  token.abort('x')
  t.same(calls, ['first'])
})

t.test('like AbortController.abort(), no reason means an AbortError', async (t) => {
  const token = new CancelToken()
  token.abort()
  const reference = new AbortController()
  reference.abort()
  t.match(token.reason, { name: 'AbortError', message: (reference.signal.reason as Error).message })
  t.ok(token.reason instanceof DOMException)
})

t.test('a Semaphore waits on it as on an AbortSignal', async (t) => {
  const sem = new Semaphore(1)
  await sem.acquire()
  const token = new CancelToken()
  const waiting = sem.acquire({ signal: token })
  const behind = sem.acquire()
  token.abort(new Error('gave up'))
  await t.rejects(waiting, { message: 'gave up' })
  t.equal(sem.waiting, 1, 'the cancelled waiter left the line')
  await t.rejects(sem.acquire({ signal: token }), { message: 'gave up' }, 'an aborted token never waits')
  const served = new CancelToken()
  const next = sem.acquire({ signal: served })
  sem.release()
  await behind
  sem.release()
  await next
  served.abort('after')
  t.equal(sem.held, 1, 'an abort after the permit was granted changes nothing')
})
