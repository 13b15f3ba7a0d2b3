import t from 'tap'
import { JobSlots } from '../../../dist/lib/runners/pool/job-slots.js'

t.test('gives each job a slot, the lowest ids first, and finds it there', async (t) => {
  const slots = new JobSlots<string>()
  t.same(['a', 'b', 'c'].map((job) => slots.add(job)), [0, 1, 2])
  t.equal(slots.size, 3)
  t.equal(slots.get(1), 'b')
  slots.delete(1, false)
  t.equal(slots.get(1), undefined)
  t.equal(slots.size, 2)
  t.same(slots.values().sort(), ['a', 'c'])
})

t.test('a slot freed while no orders wait to be sent is given out again at once', async (t) => {
  const slots = new JobSlots<string>()
  slots.add('a')
  slots.add('b')
  slots.delete(0, false)
  t.equal(slots.add('c'), 0)
  t.equal(slots.get(0), 'c')
})

t.test('a slot freed while orders wait to be sent is given out only once they have gone', async (t) => {
  // The waiting batch may hold a stop of the job that had the slot: a new job there would get it.
  const slots = new JobSlots<string>()
  slots.add('a')
  slots.add('b')
  slots.delete(0, true)
  t.equal(slots.add('c'), 2, 'not slot 0: the batch waiting may stop whoever has it')
  slots.sent()
  t.equal(slots.add('d'), 0, 'the batch has gone: slot 0 is free')
  t.same(slots.values().sort(), ['b', 'c', 'd'])
})

t.test('clear() frees every slot: the process is gone', async (t) => {
  const slots = new JobSlots<string>()
  slots.add('a')
  slots.add('b')
  slots.delete(1, true)
  slots.delete(0, false)
  slots.add('c')
  slots.clear()
  t.equal(slots.size, 0)
  t.same(slots.values(), [])
  t.equal(slots.add('d'), 0)
  slots.sent()
  t.equal(slots.add('e'), 1, 'no slot freed before clear() is given out twice')
})
