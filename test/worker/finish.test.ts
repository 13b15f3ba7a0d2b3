import t from 'tap'
import { finish } from '../../dist/lib/index.js'
import { isFinish } from '../../dist/lib/worker/finish.js'

t.test('finish marks a worker result with its exit code', async (t) => {
  const f = finish(3, { a: 1 })
  t.ok(isFinish(f))
  t.equal(f.exitCode, 3)
  t.same(f.data, { a: 1 })
  t.equal(finish(0).data, undefined)
  t.match(finish(), { exitCode: 0, data: undefined }, 'finish() alone: exit code 0, as $pm->finish;')
  t.notOk(isFinish({ exitCode: 3 }))
  t.notOk(isFinish(null))
  t.notOk(isFinish(3))
})

t.test('bad exit codes are refused', async (t) => {
  t.throws(() => finish(256), { name: 'RangeError', message: 'finish() exit code must be a whole number from 0 to 255, got 256' })
  t.throws(() => finish(-1), RangeError)
  t.throws(() => finish(1.5), RangeError)
  t.throws(() => finish('1' as unknown as number), RangeError)
})
