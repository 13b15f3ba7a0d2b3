import t from 'tap'
import { placementOf, placementRecords, recordPlacement } from '../../../dist/lib/runners/thread/placements.js'

t.test('a placement is read back for its task only, and a later task in the slot replaces it', async (t) => {
  const records = placementRecords(4)
  t.equal(placementOf(records, 1), undefined, 'not taken yet')
  recordPlacement(records, 1, 7, 3)
  t.same(placementOf(records, 1), { threadId: 7, uses: 3 })
  t.equal(placementOf(records, 5), undefined, 'the same slot, another task')
  recordPlacement(records, 5, 8, 1)
  t.same(placementOf(records, 5), { threadId: 8, uses: 1 })
  t.equal(placementOf(records, 1), undefined, 'its slot was reused')
})
