import t from 'tap'
import { finish, isFinish } from '../../dist/lib/index.js'

/** What finish() throws: it never returns, as Parallel::ForkManager's finish() ends the child. */
function markOf(call: () => unknown): unknown {
  try {
    call()
  } catch (mark) {
    return mark
  }
  throw new Error('finish() returned')
}

t.test('finish ends the call by throwing a mark with its exit code and data', async (t) => {
  const f = markOf(() => finish(3, { a: 1 }))
  t.ok(isFinish(f))
  t.match(f, { exitCode: 3, data: { a: 1 } })
  t.notOk(f instanceof Error, 'a plain mark: no stack is captured')
  t.match(markOf(() => finish(0)), { exitCode: 0, data: undefined })
  t.match(markOf(() => finish()), { exitCode: 0, data: undefined }, 'finish() alone: exit code 0, as $pm->finish;')
  t.notOk(isFinish({ exitCode: 3 }))
  t.notOk(isFinish(null))
  t.notOk(isFinish(3))
})

t.test('bad exit codes are refused', async (t) => {
  t.throws(() => finish(256), { name: 'RangeError', message: 'finish() exit code must be a whole number >= 0 and <= 255, got 256' })
  t.throws(() => finish(-1), RangeError)
  t.throws(() => finish(1.5), RangeError)
  t.throws(() => finish('1' as unknown as number), {
    name: 'TypeError', message: 'finish() exit code must be a whole number >= 0 and <= ' +
    '255, got "1"'
  })
})
