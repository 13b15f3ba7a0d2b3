import t from 'tap'
import { ChunkSizer, TARGET_CHUNK_MS } from '../../dist/lib/map/chunk-sizer.js'

/** The size the sizer settles on for items of `msPerItem`, after enough chunks to stop growing. */
function settled(sizer: ChunkSizer, msPerItem: number): number {
  for (let i = 0; i < 12; i++) sizer.measured(sizer.size, sizer.size * msPerItem)
  return sizer.size
}

t.test('auto chunks aim at TARGET_CHUNK_MS locally, at a backend\'s chunkTargetMs when given', async (t) => {
  const local = new ChunkSizer(undefined)
  t.equal(local.targetMs, TARGET_CHUNK_MS)
  t.equal(settled(local, 2), TARGET_CHUNK_MS / 2)
  const remote = new ChunkSizer(undefined, 500)
  t.equal(remote.targetMs, 500)
  t.equal(settled(remote, 2), 250, 'ten times the items for a target ten times longer')
  t.equal(settled(new ChunkSizer(7, 500), 2), 7, 'a fixed chunkSize stays fixed')
})
