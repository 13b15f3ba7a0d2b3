// cwdMemo (lib/util/cwd-memo.ts): answers that depend on the working directory, remembered until it changes.
import t from 'tap'
import { cwdMemo } from '../../dist/lib/util/cwd-memo.js'

t.test('runs once per key while the working directory stays, and again after a chdir', async (t) => {
  const calls: string[] = []
  const memo = cwdMemo((key, cwd) => {
    calls.push(key)
    return `${cwd}|${key}`
  })
  const here = process.cwd()
  t.equal(memo('a'), `${here}|a`)
  t.equal(memo('a'), `${here}|a`)
  t.equal(memo('b'), `${here}|b`)
  t.same(calls, ['a', 'b'])
  const dir = t.testdir({})
  process.chdir(dir)
  t.teardown(() => process.chdir(here))
  t.equal(memo('a'), `${process.cwd()}|a`, 'resolved afresh in the new directory')
  t.same(calls, ['a', 'b', 'a'])
})

t.test('forgets everything when it is full, and never remembers a throw', async (t) => {
  let calls = 0
  const memo = cwdMemo((key) => {
    calls++
    if (key === 'bad') throw new TypeError('no')
    return { key }
  }, 2)
  const a = memo('a')
  t.equal(memo('a'), a, 'the same answer, not a new one')
  memo('b')
  t.equal(calls, 2)
  memo('c')
  t.equal(calls, 3, 'the third key found the memo full')
  t.not(memo('a'), a, 'a was forgotten')
  t.throws(() => memo('bad'), { message: 'no' })
  t.throws(() => memo('bad'), { message: 'no' })
  t.equal(calls, 6, 'a throw is not remembered')
})
