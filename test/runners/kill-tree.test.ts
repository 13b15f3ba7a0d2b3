import t from 'tap'
import { dumpsCore, killTree } from '../../dist/lib/runners/kill-tree.js'

t.test('never signals init or "every process"', async (t) => {
  t.throws(() => killTree(1, 'SIGTERM'), RangeError)
  t.throws(() => killTree(0, 'SIGTERM'), RangeError)
  t.throws(() => killTree(-5, 'SIGTERM'), RangeError)
  t.throws(() => killTree(1.5, 'SIGTERM'), RangeError)
})

t.test('a group that is gone is not an error', async (t) => {
  t.doesNotThrow(() => killTree(2 ** 22 - 3, 'SIGTERM'))
})

t.test('core-dumping signals', async (t) => {
  t.equal(dumpsCore('SIGSEGV'), true)
  t.equal(dumpsCore('SIGABRT'), true)
  t.equal(dumpsCore('SIGTERM'), false)
  t.equal(dumpsCore(null), false)
})
