import t from 'tap'
import { CallContext, callWorkerFile, uncloneableReply } from '../../dist/lib/worker-file/call.js'
import { pathToFileURL } from 'node:url'
import { worker } from '../helpers/paths.js'
import runChunk from '../../dist/lib/map/chunk-worker.js'

t.test('a signal first read after the abort is already aborted', async (t) => {
  const ctx = new CallContext('late')
  t.equal(ctx.listening, false)
  ctx.abort('why')
  const signal = ctx.signal
  t.equal(ctx.listening, true)
  t.equal(signal.aborted, true)
  t.equal(signal.reason, 'why')
})

t.test('callWorkerFile never throws', async (t) => {
  const url = pathToFileURL(worker('faults')).href
  t.same(await callWorkerFile(url, { mode: 'finish', code: 2, value: 'v' }, new CallContext('x')), { ok: true, exitCode: 2, data: 'v' })
  t.match(await callWorkerFile(url, { mode: 'throw' }, new CallContext('x')), { ok: false, exitCode: 1, error: { name: 'RangeError' } })
  t.match(uncloneableReply(url, new Error('no')), { ok: false, error: { name: 'DataCloneError', message: /structured clone failed: no/ } })
})

t.test('a stop before the worker function is called means it is never called', async (t) => {
  const ctx = new CallContext('early')
  ctx.abort('stop')
  const reply = await callWorkerFile(pathToFileURL(worker('faults')).href, { mode: 'ok', value: 1 }, ctx)
  t.match(reply, { ok: false, exitCode: 1, error: { name: 'AbortError', message: 'job "early" was stopped before it began' } })
  t.equal(ctx.started, false)
})

t.test('finish() called as a statement ends the job with its code and data (the Parallel::ForkManager habit)', async (t) => {
  const url = pathToFileURL(worker('finish-statement')).href
  t.same(await callWorkerFile(url, { code: 3, value: 'v' }, new CallContext('s')), {
    ok: true, exitCode: 3, data: { value: 'v', ident: 's' },
  })
  t.same(await callWorkerFile(url, { code: 4, value: 'w', waitMs: 5 }, new CallContext('a')), {
    ok: true, exitCode: 4, data: { value: 'w', ident: 'a' },
  }, 'after an await')
  t.same(await callWorkerFile(url, { code: 5, caught: 'rethrow' }, new CallContext('r')), {
    ok: true, exitCode: 5, data: { value: undefined, ident: 'r' },
  }, 'through a catch that rethrows it')
  t.same(await callWorkerFile(url, { code: 6, caught: 'swallow' }, new CallContext('w')), {
    ok: true, exitCode: 0, data: 'the line after finish() ran',
  }, 'a catch that keeps the mark keeps the job going')
})

t.test('a returned mark (an older forkpool\'s finish() returned it) is taken too', async (t) => {
  const url = new URL('../fixtures/workers/returned-finish.mjs', import.meta.url).href
  t.same(await callWorkerFile(url, 7, new CallContext('old')), { ok: true, exitCode: 7, data: 'code 7' })
  const chunk = await runChunk({ url, items: [0, 7] }, new CallContext('chunk'))
  t.same([chunk.data, chunk.failures], [['code 0', 'code 7'], [[1, 7, null]]], 'and by map()\'s chunk worker')
})
