import t from 'tap'
import { SlotList } from '../../dist/lib/util/slot-list.js'

interface Item {
  name: number
  slot: number
  other: number
}

const item = (name: number): Item => ({ name, slot: -1, other: -1 })
const names = (items: Item[]): number[] => items.map((i) => i.name)

/** A list holding `count` new objects, named 0 to count - 1, and the objects. */
function filled(count: number): { list: SlotList<'slot', Item>; items: Item[] } {
  const list = new SlotList<'slot', Item>('slot')
  const items = Array.from({ length: count }, (_, i) => item(i))
  for (const i of items) list.add(i)
  return { list, items }
}

t.test('keeps objects in the order they were added; each knows its slot, -1 once out', async (t) => {
  const list = new SlotList<'slot', Item>('slot')
  const [a, b, c] = [item(1), item(2), item(3)]
  list.add(a)
  list.add(b)
  list.add(c)
  t.equal(list.size, 3)
  t.same([a.slot, b.slot, c.slot], [0, 1, 2])
  t.same(names(list.values()), [1, 2, 3])
  t.equal(list.delete(b), true)
  t.equal(b.slot, -1)
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
  const list = new SlotList<'slot', Item>('slot')
  const elsewhere = new SlotList<'slot', Item>('slot')
  const a = item(1)
  const b = item(2)
  list.add(a)
  elsewhere.add(b)
  t.equal(b.slot, 0, 'b holds slot 0 of the other list, as a does of this one')
  t.equal(list.has(b), false)
  t.equal(list.delete(b), false)
  t.equal(list.has(a), true)
  t.equal(list.has(item(3)), false, 'never added: slot -1')
})

t.test('one object in two lists keeps a place in each, under its own field', async (t) => {
  const first = new SlotList<'slot', Item>('slot')
  const second = new SlotList<'other', Item>('other')
  const a = item(1)
  first.add(item(0))
  first.add(a)
  second.add(a)
  t.same([a.slot, a.other], [1, 0])
  second.delete(a)
  t.equal(first.has(a), true)
  t.equal(second.has(a), false)
})

t.test('compacts in place once 32 slots or more are free, and more than are used: order and places hold', async (t) => {
  // [objects, how many removed from the front when it compacts]: 51 free against 49 used; 32 against 8.
  for (const [count, at] of [[100, 51], [40, 32]] as const) {
    const { list, items } = filled(count)
    for (const i of items.slice(0, at - 1)) list.delete(i)
    t.equal(items[at - 1]!.slot, at - 1, `${count} objects, ${at - 1} removed: not compacted yet`)
    list.delete(items[at - 1]!)
    const left = items.slice(at)
    t.same(left.map((i) => i.slot), left.map((_, k) => k), `${at} removed: compacted, the rest in order from slot 0`)
    t.same(names(list.values()), names(left))
    for (const i of left) t.equal(list.has(i), true)
    const late = item(count)
    list.add(late)
    t.equal(late.slot, left.length, 'the next object goes after the last one')
    t.same(names(list.values()), [...names(left), count])
  }
})

t.test('an emptied list starts over from slot 0, also after it grew large', async (t) => {
  for (const count of [10, 3000]) {
    const { list, items } = filled(count)
    // From the end: no compaction on the way, the list just empties.
    for (const i of items.reverse()) list.delete(i)
    t.equal(list.size, 0)
    const next = item(-1)
    list.add(next)
    t.equal(next.slot, 0, `${count} objects`)
    t.same(names(list.values()), [-1])
  }
})
