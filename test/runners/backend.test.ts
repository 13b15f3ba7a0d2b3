import t from 'tap'
import { isBackend } from '../../dist/lib/runners/backend.js'
import { ForkManager } from '../../dist/lib/index.js'

const methods = { launch: async () => { throw new Error('not used') }, close: async () => {} }

t.test('isBackend: launch and close, and a chunkTargetMs that is a positive finite number when present', async (t) => {
  t.ok(isBackend(methods))
  t.ok(isBackend({ ...methods, chunkTargetMs: 500 }))
  for (const bad of [0, -1, Infinity, NaN, '500']) t.notOk(isBackend({ ...methods, chunkTargetMs: bad }), `chunkTargetMs ${String(bad)}`)
  t.notOk(isBackend(null))
  t.notOk(isBackend({ launch: methods.launch }))
  t.throws(() => new ForkManager({ backend: { ...methods, chunkTargetMs: 0 } as never }), /ForkManager backend must be a backend/)
})
