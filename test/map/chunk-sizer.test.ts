import t from 'tap'
import { ChunkSizer, MAX_CHUNK, TARGET_CHUNK_MS } from '../../dist/lib/map/chunk-sizer.js'

/** The size the sizer settles on for items of `msPerItem`, after enough chunks to stop growing. */
function settled(sizer: ChunkSizer, msPerItem: number): number {
  for (let i = 0; i < 12; i++) sizer.measured(sizer.size, sizer.size * msPerItem)
  return sizer.size
}

t.test('auto chunks aim at TARGET_CHUNK_MS with at most MAX_CHUNK items locally, at a backend\'s shape when given', async (t) => {
  const local = new ChunkSizer(undefined)
  t.equal(local.targetMs, TARGET_CHUNK_MS)
  t.equal(settled(local, 2), TARGET_CHUNK_MS / 2)
  t.equal(settled(local, 0.00001), MAX_CHUNK, 'tiny items: the cap')
  t.equal(local.max, MAX_CHUNK)
  const remote = new ChunkSizer(undefined, { targetMs: 500, maxItems: 50_000 })
  t.equal(remote.targetMs, 500)
  t.equal(settled(remote, 2), 250, 'ten times the items for a target ten times longer')
  t.equal(settled(remote, 0.00001), 50_000, 'tiny items: the backend\'s cap')
  t.equal(remote.max, 50_000)
  t.equal(settled(new ChunkSizer(7, { targetMs: 500, maxItems: 50_000 }), 2), 7, 'a fixed chunkSize stays fixed')
})

t.test('tooBig: later chunks hold the items that fit under the limit, with a margin; never fewer than 1; max unchanged', async (t) => {
  const auto = new ChunkSizer(undefined)
  settled(auto, 0.0001)
  t.equal(auto.size, 10_000)
  // 10,000 items of 1 KB against a 2 MB limit: 80% of the limit holds 1,638 of them.
  t.equal(auto.tooBig(10_000, 10_240_000, 2_097_152), 1638)
  t.equal(auto.size, 1638)
  t.equal(settled(auto, 0.0001), 1638, 'growth stops at the items that fit')
  t.equal(auto.max, 10_000, 'max (the map\'s window) is not the byte limit\'s business')
  t.equal(auto.tooBig(2, 10_000_000, 1000), 1, 'an item over the limit alone: chunks of 1')
  const fixed = new ChunkSizer(500)
  t.equal(fixed.tooBig(500, 2_000_000, 1_000_000), 200, 'a fixed chunkSize gives way to the limit')
  t.equal(fixed.size, 200)
  t.equal(fixed.max, 500)
})
