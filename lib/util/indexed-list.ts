// A list of the objects in flight (jobs), in the order they were added, that each object knows its
// own place in (a numeric field of its own, named at construction): adding and removing cost no
// hash table.
//
// Why not a Set: once a Set's or Map's hash table is in V8's old generation, the tables that
// replace it as it grows or sheds deleted entries are made there too, and a replaced table still
// points at what it held. A Set that lives as long as the manager, with every job passing
// through, then keeps each job alive through the young-generation collections after it ended,
// until a full collection: every job's objects are promoted, and full collections follow one
// another. Whether the table gets there is chance (two young-generation collections while it
// stays unchanged), so the cost came and went between runs. The figures, with Sets in its place
// on Node 20, 22 and 24, are in bench/README.md ("Hot-path code").
//
// An array has neither problem: a removed object's place is overwritten at once, and the array is
// never replaced while objects are in it. It is compacted in place, never shortened, so its
// storage grows only when more objects are in it than ever before; a new array comes only once
// it is empty.

/** Once this many places are free, and more of them than objects, the list is compacted. */
const COMPACT_AT = 32
/** An empty list whose array has grown past this many places gets a new, empty array. */
const SHRINK_PAST = 1024

export class IndexedList<K extends string, T extends Record<K, number>> {
  #items: Array<T | undefined> = []
  /** Places in use or freed since the last compaction: the array's length as far as the list is concerned. */
  #end = 0
  #size = 0
  readonly #field: K

  /** `field`: the numeric field of each object where the list keeps its index (-1 when not in the list). */
  constructor(field: K) {
    this.#field = field
  }

  get size(): number {
    return this.#size
  }

  add(item: T): void {
    const index = this.#end++
    if (index < this.#items.length) this.#items[index] = item
    else this.#items.push(item)
    item[this.#field] = index as T[K]
    this.#size++
  }

  /** Takes the object out; false when it was not in the list. */
  delete(item: T): boolean {
    if (!this.has(item)) return false
    this.#items[item[this.#field]] = undefined
    item[this.#field] = -1 as T[K]
    this.#size--
    const free = this.#end - this.#size
    if (this.#size === 0) this.#empty()
    else if (free >= COMPACT_AT && free > this.#size) this.#compact()
    return true
  }

  has(item: T): boolean {
    const index = item[this.#field]
    return index >= 0 && this.#items[index] === item
  }

  /** The objects in the order they were added: a copy, so that the caller may remove them as it goes. */
  values(): T[] {
    const out: T[] = []
    for (let i = 0; i < this.#end; i++) {
      const item = this.#items[i]
      if (item !== undefined) out.push(item)
    }
    return out
  }

  /** Moves the objects down over the free places, in order, and clears the places left behind. */
  #compact(): void {
    let to = 0
    for (let from = 0; from < this.#end; from++) {
      const item = this.#items[from]
      if (item === undefined) continue
      if (from !== to) {
        this.#items[to] = item
        item[this.#field] = to as T[K]
      }
      to++
    }
    for (let i = to; i < this.#end; i++) this.#items[i] = undefined
    this.#end = to
  }

  /** Every place is free (each was cleared as its object left): start over, with a small array if this one had grown large. */
  #empty(): void {
    this.#end = 0
    if (this.#items.length > SHRINK_PAST) this.#items = []
  }
}
