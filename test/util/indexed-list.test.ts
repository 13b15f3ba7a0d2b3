import t from 'tap'
import { IndexedList } from '../../dist/lib/util/indexed-list.js'

interface Item {
  name: number
  index: number
  other: number
}

const item = (name: number): Item => ({ name, index: -1, other: -1 })
const names = (items: Item[]): number[] => items.map((i) => i.name)

/** A list holding `count` new objects, named 0 to count - 1, and the objects. */
function filled(count: number): { list: IndexedList<'index', Item>; items: Item[] } {
  const list = new IndexedList<'index', Item>('index')
  const items = Array.from({ length: count }, (_, i) => item(i))
  for (const i of items) list.add(i)
  return { list, items }
}

t.test('keeps objects in the order they were added; each knows its index, -1 once out', async (t) => {
  const list = new IndexedList<'index', Item>('index')
  const [a, b, c] = [item(1), item(2), item(3)]
  list.add(a)
  list.add(b)
  list.add(c)
  t.equal(list.size, 3)
  t.same([a.index, b.index, c.index], [0, 1, 2])
  t.same(names(list.values()), [1, 2, 3])
  t.equal(list.delete(b), true)
  t.equal(b.index, -1)
  t.equal(list.has(b), false)
  t.equal(list.delete(b), false, 'a second delete finds nothing')
  t.equal(list.has(a), true)
  t.same(names(list.values()), [1, 3])
  list.add(b)
  t.same(names(list.values()), [1, 3, 2], 'added again: at the end')
  t.equal(list.size, 3)
})

t.test('values() is a copy: removing while walking it misses nothing', async (t) => {
  const { list } = filled(5)
  for (const i of list.values()) list.delete(i)
  t.equal(list.size, 0)
  t.same(list.values(), [])
})

t.test('an object that is not in this list is not taken for one that is', async (t) => {
  const list = new IndexedList<'index', Item>('index')
  const elsewhere = new IndexedList<'index', Item>('index')
  const a = item(1)
  const b = item(2)
  list.add(a)
  elsewhere.add(b)
  t.equal(b.index, 0, 'b holds index 0 of the other list, as a does of this one')
  t.equal(list.has(b), false)
  t.equal(list.delete(b), false)
  t.equal(list.has(a), true)
  t.equal(list.has(item(3)), false, 'never added: index -1')
})

t.test('one object in two lists keeps a place in each, under its own field', async (t) => {
  const first = new IndexedList<'index', Item>('index')
  const second = new IndexedList<'other', Item>('other')
  const a = item(1)
  first.add(item(0))
  first.add(a)
  second.add(a)
  t.same([a.index, a.other], [1, 0])
  second.delete(a)
  t.equal(first.has(a), true)
  t.equal(second.has(a), false)
})

t.test('compacts in place once 32 places or more are free, and more than are used: order and places hold', async (t) => {
  // [objects, how many removed from the front when it compacts]: 51 free against 49 used; 32 against 8.
  for (const [count, at] of [[100, 51], [40, 32]] as const) {
    const { list, items } = filled(count)
    for (const i of items.slice(0, at - 1)) list.delete(i)
    t.equal(items[at - 1]!.index, at - 1, `${count} objects, ${at - 1} removed: not compacted yet`)
    list.delete(items[at - 1]!)
    const left = items.slice(at)
    t.same(left.map((i) => i.index), left.map((_, k) => k), `${at} removed: compacted, the rest in order from index 0`)
    t.same(names(list.values()), names(left))
    for (const i of left) t.equal(list.has(i), true)
    const late = item(count)
    list.add(late)
    t.equal(late.index, left.length, 'the next object goes after the last one')
    t.same(names(list.values()), [...names(left), count])
  }
})

t.test('an emptied list starts over from index 0, also after it grew large', async (t) => {
  for (const count of [10, 3000]) {
    const { list, items } = filled(count)
    // From the end: no compaction on the way, the list just empties.
    for (const i of items.reverse()) list.delete(i)
    t.equal(list.size, 0)
    const next = item(-1)
    list.add(next)
    t.equal(next.index, 0, `${count} objects`)
    t.same(names(list.values()), [-1])
  }
})
