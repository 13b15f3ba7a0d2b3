import t from 'tap'
import { parseDuration } from '../../dist/lib/primitives/duration.js'
import { describe } from '../../dist/lib/util/describe.js'

t.test('numbers are milliseconds', async (t) => {
  t.equal(parseDuration(5000), 5000)
  t.equal(parseDuration(Infinity), Infinity)
})

t.test('strings take units and chain them', async (t) => {
  t.equal(parseDuration('250ms'), 250)
  t.equal(parseDuration('5s'), 5000)
  t.equal(parseDuration('1.5s'), 1500)
  t.equal(parseDuration('.5s'), 500)
  t.equal(parseDuration('2m'), 120_000)
  t.equal(parseDuration('1h'), 3_600_000)
  t.equal(parseDuration('1d'), 86_400_000)
  t.equal(parseDuration('1m30s'), 90_000)
  t.equal(parseDuration(' 1m 30s '), 90_000)
})

t.test('bad values name themselves', async (t) => {
  t.throws(() => parseDuration(0, 'timeout'), { name: 'RangeError', message: /timeout must be a positive number of milliseconds, got 0/ })
  t.throws(() => parseDuration(-1), RangeError)
  t.throws(() => parseDuration(NaN), { message: /got NaN/ })
  t.throws(() => parseDuration('5000', 'timeout'), {
    name: 'RangeError', message: /timeout "5000" is not a duration \(add a unit: '5000ms' or '5000s'\)/,
  })
  t.throws(() => parseDuration('soon'), { name: 'RangeError', message: /"soon" is not a duration; use units/ })
  t.throws(() => parseDuration('5 parsecs'), RangeError)
  t.throws(() => parseDuration(''), { message: /must be longer than zero, got ""/ })
  t.throws(() => parseDuration('0s'), { message: /must be longer than zero/ })
  t.throws(() => parseDuration(null, 'killGrace'), {
    name: 'TypeError', message: /killGrace must be a number of milliseconds or a string like '5s', got null/,
  })
  t.throws(() => parseDuration({}), { message: /got an object/ })
})

t.test('describe() keeps error messages short and safe', async (t) => {
  t.equal(describe('x'.repeat(100)), JSON.stringify('x'.repeat(60) + '…'))
  t.equal(describe(10n), '10n')
  t.equal(describe(function named() {}), 'function named')
  t.equal(describe(() => {}), 'function (anonymous)')
  t.equal(describe(Symbol('s')), 'Symbol(s)')
  t.equal(describe(undefined), 'undefined')
  t.equal(describe([1, 2]), 'an array of 2')
  t.equal(describe(new Map()), 'a Map')
  t.equal(describe(Object.create(null)), 'an object')
})
