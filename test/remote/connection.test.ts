// How many reconnection attempts a producer's command waits through: enough for lostAfter, so an
// add while Redis is away fails about lostAfter after Redis went away (test/remote/outage.test.ts).
import t from 'tap'
import { retriesLasting } from '../../dist/lib/remote/connection.js'

t.test('retriesLasting: the fewest of ioredis\'s reconnection waits (50, 100, 150 … ms) that add up to the time', async (t) => {
  t.equal(retriesLasting(1), 1, 'one at least')
  t.equal(retriesLasting(50), 1)
  t.equal(retriesLasting(51), 2, '50 + 100')
  t.equal(retriesLasting(1800), 8, '50 + … + 400 = 1,800')
  t.equal(retriesLasting(2000), 9, '50 + … + 450 = 2,250')
  t.equal(retriesLasting(9500), 19, '50 + … + 950 = 9,500')
  t.equal(retriesLasting(9501), 20, 'ioredis\'s own 20, its default')
  t.equal(retriesLasting(120_000), 20, 'never more than ioredis\'s default')
})
