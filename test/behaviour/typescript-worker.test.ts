// A worker file written in TypeScript runs when the caller runs under a TS loader (here: tap's).
// It pays the loader's start-up in the child, so this is the one test that does.
import t from 'tap'
import { manager } from '../helpers/manager.js'

const source = new URL('../../workers/name-length.ts', import.meta.url)

for (const isolation of ['process', 'thread'] as const) {
  t.test(`a .ts worker file in a ${isolation}`, async (t) => {
    const pm = manager(t, { maxProcs: 1 })
    const r = await (await pm.start('Barney', { worker: source, data: 'Barney', isolation })).result
    t.match(r, { exitCode: 6, error: null, data: { name: 'Barney', length: 6 } })
    await pm.close()
  })
}
