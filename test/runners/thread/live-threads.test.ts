import t from 'tap'
import { EventEmitter } from 'node:events'
import { Worker } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import { LiveThreads } from '../../../dist/lib/runners/thread/live-threads.js'

// A thread that runs until it is terminated.
const thread = (): Worker => new Worker('setInterval(() => {}, 1000)', { eval: true })

/** What LiveThreads reads of a pool: its 'workerCreate' event and its threads. */
const pool = (threads: Worker[]): Piscina => Object.assign(new EventEmitter(), { threads }) as unknown as Piscina

t.test('exited() waits for each thread announced in the pool, until it exits', async (t) => {
  const live = new LiveThreads()
  const [a, b] = [thread(), thread()]
  const piscina = pool([a, b])
  t.equal(live.watch(piscina), piscina, 'watch() hands the pool back')
  piscina.emit('workerCreate', { id: a.threadId })
  piscina.emit('workerCreate', { id: b.threadId })
  let exited = false
  const done = live.exited().then(() => {
    exited = true
  })
  await a.terminate()
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(exited, false, 'one thread of two is still running')
  await b.terminate()
  await done
  t.ok(exited)
  await live.exited()
  t.pass('threads that have exited are no longer waited for')
})

t.test('a thread announced but no longer in the pool is not followed', async (t) => {
  const live = new LiveThreads()
  const gone = thread()
  const piscina = live.watch(pool([]))
  piscina.emit('workerCreate', { id: gone.threadId })
  await live.exited()
  t.pass('exited() resolves although that thread still runs')
  await gone.terminate()
})
