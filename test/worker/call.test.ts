import t from 'tap'
import { CallContext, callWorker, cloneCheckedReply, uncloneableReply } from '../../dist/lib/worker/call.js'
import { pathToFileURL } from 'node:url'
import { worker } from '../helpers/paths.js'

t.test('a signal first read after the abort is already aborted', async (t) => {
  const ctx = new CallContext('late')
  t.equal(ctx.listening, false)
  ctx.abort('why')
  const signal = ctx.signal
  t.equal(ctx.listening, true)
  t.equal(signal.aborted, true)
  t.equal(signal.reason, 'why')
})

t.test('callWorker never throws', async (t) => {
  const url = pathToFileURL(worker('faults')).href
  t.same(await callWorker(url, { mode: 'finish', code: 2, value: 'v' }, new CallContext('x')), { ok: true, exitCode: 2, data: 'v' })
  t.match(await callWorker(url, { mode: 'throw' }, new CallContext('x')), { ok: false, exitCode: 1, error: { name: 'RangeError' } })
  t.match(uncloneableReply(url, new Error('no')), { ok: false, error: { name: 'DataCloneError', message: /structured clone failed: no/ } })
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

t.test('a stop before the worker function is called means it is never called', async (t) => {
  const ctx = new CallContext('early')
  ctx.abort('stop')
  const reply = await callWorker(pathToFileURL(worker('faults')).href, { mode: 'ok', value: 1 }, ctx)
  t.match(reply, { ok: false, exitCode: 1, error: { name: 'AbortError', message: 'job "early" was stopped before it began' } })
  t.equal(ctx.started, false)
})
