import t from 'tap'
import { JobTable } from '../../../dist/lib/runners/pool/job-table.js'

t.test('gives each job an id, the lowest first, and finds it there', async (t) => {
  const table = new JobTable<string>()
  t.same(['a', 'b', 'c'].map((job) => table.add(job)), [0, 1, 2])
  t.equal(table.size, 3)
  t.equal(table.get(1), 'b')
  table.delete(1, false)
  t.equal(table.get(1), undefined)
  t.equal(table.size, 2)
  t.same(table.values().sort(), ['a', 'c'])
})

t.test('an id freed while no orders wait to be sent is given out again at once', async (t) => {
  const table = new JobTable<string>()
  table.add('a')
  table.add('b')
  table.delete(0, false)
  t.equal(table.add('c'), 0)
  t.equal(table.get(0), 'c')
})

t.test('an id freed while orders wait to be sent is given out only once they have gone', async (t) => {
  // The waiting batch may hold a stop of the job that had the id: a new job under it would get it.
  const table = new JobTable<string>()
  table.add('a')
  table.add('b')
  table.delete(0, true)
  t.equal(table.add('c'), 2, 'not id 0: the batch waiting may stop whoever has it')
  table.sent()
  t.equal(table.add('d'), 0, 'the batch has gone: id 0 is free')
  t.same(table.values().sort(), ['b', 'c', 'd'])
})

t.test('clear() frees every id: the process is gone', async (t) => {
  const table = new JobTable<string>()
  table.add('a')
  table.add('b')
  table.delete(1, true)
  table.delete(0, false)
  table.add('c')
  table.clear()
  t.equal(table.size, 0)
  t.same(table.values(), [])
  t.equal(table.add('d'), 0)
  table.sent()
  t.equal(table.add('e'), 1, 'no id freed before clear() is given out twice')
})
