// lib/runners/thread/hold.ts and the held jobs of runner.ts: a job handed to a busy pool waits in
// its queue, begins (and is told so) only when a thread takes it, and can be taken back unrun.
import t from 'tap'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ThreadRunner } from '../../../dist/lib/runners/thread/runner.js'
import { HeldQueue, Hold, HOLD, holdingBalancer } from '../../../dist/lib/runners/thread/hold.js'
import { normalizeJob, type WorkerSpec } from '../../../dist/lib/runners/spec.js'
import { worker } from '../../helpers/paths.js'
import { sleep } from '../../helpers/wait.js'

const nap = (ms: number): WorkerSpec => normalizeJob({ worker: worker('sleep'), data: ms, isolation: 'thread' }) as WorkerSpec

t.test('the balancer: an idle thread first, else the least busy with room; a held task is told it has begun', (t) => {
  const balance = holdingBalancer(2)
  let begun = 0
  const hold = new Hold(1, () => begun++)
  const busy = { currentUsage: 1 }
  const idle = { currentUsage: 0 }
  t.equal(balance({}, [busy, idle, { currentUsage: 0 }]), idle)
  t.equal(balance({}, [{ currentUsage: 2 }, busy]), busy)
  t.equal(balance({ [HOLD]: hold }, [{ currentUsage: 2 }]), null, 'no room: it stays queued')
  t.equal(hold.begun, false)
  t.equal(balance({ [HOLD]: hold }, [busy]), busy)
  t.equal(begun, 1, 'told at once')
  hold.begin()
  t.equal(begun, 1, 'once')
  t.equal(hold.withdraw(), false, 'begun: too late to take back')
  const taken = new Hold(2, () => begun++)
  t.equal(taken.withdraw(), true)
  t.equal(taken.withdraw(), false, 'once')
  taken.begin()
  t.equal(begun, 1, 'a job taken back never begins')
  t.end()
})

t.test('the queue keeps the order jobs were handed over in, jobs not held first', (t) => {
  const queue = new HeldQueue<{ [HOLD]?: unknown; name: string }>()
  const held = (order: number, name: string) => ({ [HOLD]: new Hold(order, () => {}), name })
  const [a, b, c] = [held(1, 'a'), held(2, 'b'), held(3, 'c')]
  queue.push(a)
  queue.push(b)
  queue.push(c)
  t.equal(queue.shift(), a)
  queue.unshift(a)
  queue.push({ name: 'plain' })
  t.equal(queue.size, 4)
  queue.remove(b)
  queue.remove(b)
  t.same([queue.shift(), queue.shift(), queue.shift(), queue.shift()].map((x) => x?.name ?? null), ['plain', 'a', 'c', null])
  t.end()
})

t.test('a held job begins when the thread ahead of it frees, not when it is handed over', async (t) => {
  const runner = new ThreadRunner(1)
  t.teardown(() => runner.close())
  const first = await runner.start(nap(300), 'first')
  let began: number | undefined
  const held = await runner.start(nap(10), 'held', 1, () => (began = Date.now()))
  await sleep(100)
  t.equal(began, undefined, 'waiting while the only thread is busy')
  const a = (await first.outcome).data as { ended: number }
  const b = (await held.outcome).data as { started: number }
  t.ok(began !== undefined && began >= a.ended, 'began once the first had ended')
  t.ok(b.started >= a.ended, 'and ran after it')
  t.equal(held.withdraw!(), false, 'too late to take it back')
})

t.test('a held job taken back never runs, and the thread runs the next', async (t) => {
  const runner = new ThreadRunner(1)
  t.teardown(() => runner.close())
  const dir = t.testdir()
  const marker = path.join(dir, 'ran')
  const first = await runner.start(nap(200), 'first')
  let began = false
  const held = await runner.start(normalizeJob({ worker: worker('faults'), data: { mode: 'hang', ready: marker }, isolation: 'thread' }) as WorkerSpec, 'held', 1, () => (began = true))
  t.equal(held.withdraw!(), true)
  t.equal(held.withdraw!(), false, 'once')
  await first.outcome
  const after = await runner.start(nap(10), 'after', 1, () => {})
  await after.outcome
  t.equal(began, false)
  t.notOk(existsSync(marker), 'the worker was never called')
})

t.test('a job that is not held cannot be taken back', async (t) => {
  const runner = new ThreadRunner(1)
  t.teardown(() => runner.close())
  const plain = await runner.start(nap(10), 'plain')
  t.equal(plain.withdraw!(), false)
  await plain.outcome
})

t.test('holds(): only a pool of exactly the cap, the only one', async (t) => {
  const runner = new ThreadRunner(2, { concurrentTasksPerWorker: 2 })
  t.teardown(() => runner.close())
  t.equal(runner.holds(nap(1), 2), false, 'no pool yet')
  await (await runner.start(nap(1), 'a')).outcome
  t.equal(runner.holds(nap(1), 2), true)
  t.equal(runner.holds(nap(1), 1), false, 'a lowered cap: the pool is larger')
  const other = normalizeJob({ worker: worker('sleep'), data: 1, isolation: 'thread', execArgv: ['--no-warnings'] }) as WorkerSpec
  t.equal(runner.holds(other, 2), false, 'another pool')
  const three = new ThreadRunner(3, { concurrentTasksPerWorker: 2 })
  t.teardown(() => three.close())
  await (await three.start(nap(1), 'a')).outcome
  t.equal(three.holds(nap(1), 3), false, '2 threads of 2 places would run 4')
  const long = await runner.start(nap(1500), 'long')
  runner.resize(4)
  await (await runner.start(nap(1), 'b')).outcome
  t.equal(runner.holds(nap(1), 4), false, 'the replaced pool still runs a job')
  await long.outcome
  await sleep(20)
  t.equal(runner.holds(nap(1), 4), true, 'and once it has none')
  t.equal(runner.holds(other, 4), false, 'a job for another pool')
})
