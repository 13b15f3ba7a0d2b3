import t from 'tap'
import { CallContext, callWorker, uncloneableReply } from '../../dist/lib/worker/call.js'
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

t.test('a stop before the worker function is called means it is never called', async (t) => {
  const ctx = new CallContext('early')
  ctx.abort('stop')
  const reply = await callWorker(pathToFileURL(worker('faults')).href, { mode: 'ok', value: 1 }, ctx)
  t.match(reply, { ok: false, exitCode: 1, error: { name: 'AbortError', message: 'job "early" was stopped before it began' } })
  t.equal(ctx.started, false)
})
