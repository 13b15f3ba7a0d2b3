// map() with many chunks in flight: each listens to the map's stop signal, which is by design and
// must not print Node's MaxListenersExceededWarning (seen with tld-check's 256 lookups in flight).

import t from 'tap'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'

t.test('a map with 40 chunks in flight warns about nothing', async (t) => {
  const pm = manager(t, { maxProcs: 40, threadPool: { concurrentTasksPerWorker: 20 } })
  const warnings: string[] = []
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`)
  process.on('warning', onWarning)
  t.teardown(() => void process.off('warning', onWarning))
  const items = Array.from({ length: 200 }, (_, i) => i)
  const results = await pm.map(items, { worker: worker('add-one'), isolation: 'thread' }, { chunkSize: 1, concurrency: 40 }).all()
  t.equal(results.filter((r) => r.ok).length, 200)
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve))
  t.same(warnings.filter((w) => w.includes('MaxListeners')), [])
})
