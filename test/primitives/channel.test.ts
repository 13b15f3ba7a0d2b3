import t from 'tap'
import { Channel, ChannelClosedError } from '../../dist/lib/index.js'

const tick = () => new Promise((resolve) => setImmediate(resolve))

t.test('put waits while full, get waits while empty, values come out in order', async (t) => {
  const ch = new Channel<number>(2)
  t.equal(ch.capacity, 2)
  await ch.put(1)
  await ch.put(2)
  t.equal(ch.size, 2)
  let thirdIn = false
  const third = ch.put(3).then(() => (thirdIn = true))
  await tick()
  t.notOk(thirdIn, 'the third put waits: the channel is full')
  t.notOk(ch.tryPut(4), 'tryPut does not wait')
  t.equal(await ch.get(), 1)
  await third
  t.ok(thirdIn, 'taking one lets the waiting put in')
  t.equal(await ch.get(), 2)
  t.equal(await ch.get(), 3)
  let got: number | undefined
  const waiting = ch.get().then((v) => (got = v))
  await tick()
  t.equal(got, undefined, 'get waits on an empty channel')
  t.ok(ch.tryPut(9), 'a put hands the value straight to the waiting get')
  await waiting
  t.equal(got, 9)
  t.equal(ch.size, 0)
})

t.test('close: puts reject, buffered and waiting values are still delivered, then iteration ends', async (t) => {
  const ch = new Channel<string>(1)
  await ch.put('a')
  const late = ch.put('b')
  ch.close()
  ch.close()
  t.ok(ch.closed)
  await t.rejects(ch.put('c'), ChannelClosedError)
  t.throws(() => ch.tryPut('d'), { name: 'ChannelClosedError', message: 'put on a closed Channel' })
  const seen: string[] = []
  for await (const v of ch) seen.push(v)
  await late
  t.same(seen, ['a', 'b'])
  await t.rejects(ch.get(), { name: 'ChannelClosedError', message: 'get on a closed and empty Channel' })
})

t.test('close wakes getters waiting on an empty channel', async (t) => {
  const ch = new Channel<number>(1)
  const get = ch.get()
  const it = ch[Symbol.asyncIterator]()
  const next = it.next()
  ch.close()
  await t.rejects(get, ChannelClosedError)
  t.same(await next, { done: true, value: undefined })
  t.same(await it.return!(), { done: true, value: undefined })
})

t.test('a waiting put or get can be cancelled by a signal; the channel goes on', async (t) => {
  const ch = new Channel<number>(1)
  const ac = new AbortController()
  const get = ch.get({ signal: ac.signal })
  ac.abort(new Error('no longer needed'))
  await t.rejects(get, { message: 'no longer needed' })
  await t.rejects(ch.get({ signal: ac.signal }), { message: 'no longer needed' }, 'already aborted: rejects at once')
  await ch.put(1)
  const put = new AbortController()
  const waitingPut = ch.put(2, { signal: put.signal })
  const behind = ch.put(3)
  put.abort('gave up')
  await t.rejects(waitingPut, 'gave up')
  await t.rejects(ch.put(4, { signal: put.signal }), 'gave up', 'full and already aborted')
  t.equal(await ch.get(), 1)
  await behind
  t.equal(await ch.get(), 3, 'the withdrawn put left no value behind')
  // A signal that never fires is cleaned up: the value passes normally.
  const calm = new AbortController()
  const p = ch.get({ signal: calm.signal })
  await ch.put(5, { signal: calm.signal })
  t.equal(await p, 5)
})

t.test('many producers and consumers through async iteration', async (t) => {
  const ch = new Channel<number>(3)
  const producers = [0, 1, 2].map(async (p) => {
    for (let i = 0; i < 20; i++) await ch.put(p * 100 + i)
  })
  const consumed: number[] = []
  const consumer = (async () => {
    for await (const v of ch) consumed.push(v)
  })()
  await Promise.all(producers)
  ch.close()
  await consumer
  t.equal(consumed.length, 60)
  for (const p of [0, 1, 2]) {
    const mine = consumed.filter((v) => Math.floor(v / 100) === p)
    t.same(mine, [...mine].sort((a, b) => a - b), `producer ${p}'s values stay in order`)
  }
})

t.test('bad arguments throw, naming the value', async (t) => {
  t.throws(() => new Channel(0), { name: 'RangeError', message: 'Channel capacity must be a whole number >= 1, got 0' })
  t.throws(() => new Channel('2' as unknown as number), TypeError)
  const ch = new Channel<number>(1)
  t.throws(() => ch.put(1, null as never), { name: 'TypeError', message: 'Channel.put() options must be an object, got null' })
  await t.rejects(ch.get({ signal: 'x' as never }), { name: 'TypeError', message: 'Channel.get() signal must be an AbortSignal, got "x"' })
  t.throws(() => ch.put(1, { singal: AbortSignal.abort() } as never), {
    name: 'TypeError', message: '"singal" is not a Channel.put() option; did you mean signal?',
  })
  await t.rejects(ch.get({ timeout: 5 } as never), {
    name: 'TypeError', message: '"timeout" is not a Channel.get() option; it takes signal',
  })
  t.equal(ch.size, 0, 'the refused put put nothing')
})
