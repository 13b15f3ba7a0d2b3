import t from 'tap'
import { isBackend } from '../../dist/lib/runners/backend.js'
import { ForkManager } from '../../dist/lib/index.js'
import { startInline } from '../../dist/lib/runners/inline.js'
import type { WorkerSpec } from '../../dist/lib/runners/spec.js'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'

const methods = { launch: () => { throw new Error('not used') }, close: async () => {} }

t.test('isBackend: launch and close; a chunkTargetMs that is a positive finite number and a chunkMaxItems that is a whole number from 1, ' +
  'when present', async (t) => {
  t.ok(isBackend(methods))
  t.ok(isBackend({ ...methods, chunkTargetMs: 500, chunkMaxItems: 1 }))
  for (const bad of [0, -1, Infinity, NaN, '500']) t.notOk(isBackend({ ...methods, chunkTargetMs: bad }), `chunkTargetMs ${String(bad)}`)
  for (const bad of [0, 1.5, Infinity, NaN, '500']) t.notOk(isBackend({ ...methods, chunkMaxItems: bad }), `chunkMaxItems ${String(bad)}`)
  t.notOk(isBackend(null))
  t.notOk(isBackend({ launch: methods.launch }))
  t.throws(() => new ForkManager({ backend: { ...methods, chunkTargetMs: 0 } }), {
    name: 'TypeError', message: 'backend must be a backend such as redisBackend(), got an object',
  })
})

t.test('map() through a backend: its chunks are shaped by the backend\'s chunkTargetMs and chunkMaxItems', async (t) => {
  const sent: number[] = []
  const backend = {
    chunkTargetMs: 50,
    chunkMaxItems: 7,
    launch: (spec: WorkerSpec, ident: string, attempt: number) => {
      sent.push((spec.data as { items: unknown[] }).items.length)
      return startInline(spec, ident, attempt)
    },
    close: async () => {},
  }
  const pm = manager(t, { maxProcs: 2, backend })
  const results = await pm.map<number, number>(Array.from({ length: 300 }, (_, i) => i), { worker: worker('add-one') }).all()
  t.ok(results.every((r, i) => r.ok && r.data === i + 1))
  t.equal(Math.max(...sent), 7, `fast items grew chunks to the backend's 7 and no further (${sent.join(' ')})`)
  // A backend that says neither: map()'s local target and cap, and the same items grow past 7.
  sent.length = 0
  const pm2 = manager(t, { maxProcs: 2, backend: { launch: backend.launch, close: backend.close } })
  await pm2.map(Array.from({ length: 300 }, (_, i) => i), { worker: worker('add-one') }).all()
  t.ok(Math.max(...sent) > 7, `without it, past 7 (${Math.max(...sent)})`)
})
