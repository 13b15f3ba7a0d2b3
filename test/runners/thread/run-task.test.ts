// The thread side of a pool thread, run here in the main thread: a pool thread's own coverage is
// lost when a test terminates it (see lib/runners/thread/run-task.ts).
import t from 'tap'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { CallContext } from '../../../dist/lib/worker/call.js'
import { cloneCheckedReply, taskRunner } from '../../../dist/lib/runners/thread/run-task.js'
import { flagStop, listenForStops, type StopMessage } from '../../../dist/lib/runners/thread/stops.js'
import { placementOf, placementRecords } from '../../../dist/lib/runners/thread/placements.js'
import { worker } from '../../helpers/paths.js'

const side = () => ({
  running: new Map<number, CallContext>(),
  stopFlags: new Int32Array(new SharedArrayBuffer(4 * 8)),
  placements: placementRecords(8),
  threadId: 42,
})

t.test('a task runs its worker with its context, records where it ran, and is forgotten once done', async (t) => {
  const thread = side()
  const runTask = taskRunner(thread)
  const url = pathToFileURL(worker('job-context')).href
  const first = runTask({ taskId: 1, url, ident: 'a', attempt: 2, jobId: 'remote-7', data: null })
  t.equal(thread.running.size, 1, 'running while its worker runs')
  t.same(await first, { ok: true, exitCode: 0, data: { ident: 'a', attempt: 2, jobId: 'remote-7' }, threadId: 42 })
  t.same(await runTask({ taskId: 2, url, ident: 'b', attempt: 1, data: null }), { ok: true, exitCode: 0, data: { ident: 'b', attempt: 1, jobId: null }, threadId: 42 }, 'no jobId: null')
  t.same(placementOf(thread.placements, 1), { threadId: 42, uses: 1 })
  t.same(placementOf(thread.placements, 2), { threadId: 42, uses: 2 }, 'the second task this thread took')
  t.equal(thread.running.size, 0)
})

t.test('a task stopped before the thread took it never begins; an unsendable result is a DataCloneError', async (t) => {
  const thread = side()
  const runTask = taskRunner(thread)
  const url = pathToFileURL(worker('faults')).href
  flagStop(thread.stopFlags, 3)
  t.match(await runTask({ taskId: 3, url, ident: 'early', attempt: 1, data: { mode: 'ok', value: 1 } }), { ok: false, error: { name: 'AbortError', message: /was stopped before it began/ }, threadId: 42 })
  t.match(await runTask({ taskId: 4, url, ident: 'fn', attempt: 1, data: { mode: 'uncloneable' } }), { ok: false, exitCode: 1, error: { name: 'DataCloneError' }, threadId: 42 })
  t.equal(thread.running.size, 0)
})

t.test('listenForStops: a stop on the channel reaches a listening task; a deaf one is reported back', async (t) => {
  const name = `forkpool-test-stops-${process.pid}`
  const listening = new CallContext('listening')
  listening.started = true
  void listening.signal
  const deaf = new CallContext('deaf')
  deaf.started = true
  const threadSide = new BroadcastChannel(name)
  listenForStops(threadSide, new Map([[1, listening], [2, deaf]]))
  const parent = new BroadcastChannel(name)
  t.teardown(() => { threadSide.close(); parent.close() })
  const heard: StopMessage[] = []
  parent.onmessage = (event) => heard.push((event as MessageEvent<StopMessage>).data)

  parent.postMessage({ stop: 1 })
  parent.postMessage({ stop: 2 })
  for (let waited = 0; heard.length === 0 && waited < 5000; waited += 10) await sleep(10)
  t.equal(listening.aborted, true)
  t.equal(deaf.aborted, false)
  t.same(heard, [{ deaf: 2 }])
})

t.test('cloneCheckedReply: data that cannot be cloned becomes a DataCloneError reply; anything else passes as it is', async (t) => {
  const url = 'file:///w.mjs'
  t.match(cloneCheckedReply(url, { ok: true, exitCode: 0, data: { f: () => 1 } }), { ok: false, exitCode: 1, error: { name: 'DataCloneError', message: /result of worker file:\/\/\/w\.mjs cannot be sent/ } })
  for (const reply of [
    { ok: true, exitCode: 0, data: { m: new Map([[1, 2n]]) } },
    { ok: true, exitCode: 3, data: 'text' },
    { ok: true, exitCode: 0, data: null },
    { ok: false, exitCode: 1, error: { name: 'Error', message: 'm' } },
  ] as const) t.equal(cloneCheckedReply(url, reply), reply)
})
