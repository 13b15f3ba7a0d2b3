import t from 'tap'
import { parseBytes } from '../../dist/lib/index.js'

t.test('numbers are bytes; strings need a unit', async (t) => {
  t.equal(parseBytes(1024), 1024)
  t.equal(parseBytes(Infinity), Infinity)
  t.equal(parseBytes('512MB'), 512e6)
  t.equal(parseBytes(' 1.5 GiB '), 1.5 * 2 ** 30)
  t.equal(parseBytes('64kib'), 65536)
  t.equal(parseBytes('.5KB'), 500)
  t.equal(parseBytes('7b'), 7)
  t.equal(parseBytes('2gb'), 2e9)
  t.equal(parseBytes('3MiB'), 3 * 2 ** 20)
  t.equal(parseBytes('1kb'), 1000)
})

t.test('bad sizes name the value', async (t) => {
  t.throws(() => parseBytes(0, 'limit'), { name: 'RangeError', message: 'limit must be a positive number of bytes, got 0' })
  t.throws(() => parseBytes(NaN), { name: 'RangeError', message: 'size must be a positive number of bytes, got NaN' })
  t.throws(() => parseBytes(true), { name: 'TypeError', message: "size must be a number of bytes or a string like '512MB', got true" })
  t.throws(() => parseBytes('512'), { name: 'RangeError', message: /"512" is not a size/ })
  t.throws(() => parseBytes('5 parsecs'), { name: 'RangeError', message: /"5 parsecs" is not a size/ })
  t.throws(() => parseBytes('1 constructor'), { name: 'RangeError', message: /is not a size/ })
  t.throws(() => parseBytes('0MB'), { name: 'RangeError', message: 'size must be larger than zero, got "0MB"' })
})
