// Timeouts for many jobs, with one Node timer per duration instead of one per job. Nearly every
// job ends before its timeout, and a setTimeout per job made, unref'd and cleared a Node Timeout
// (an async resource with its own id) for nothing (bench/README.md, "Hot-path code"). Timeouts of
// one duration fall due in the order they were set, so a list in that order and a timer for its
// head do the same work: setting one is an append, cancelling one an unlink.
import { MAX_TIMER_MS } from './long-timeout.js'

/** A timeout that may still fire. */
export interface Deadline {
  /** Stops it from firing; nothing once it has fired or been cancelled. */
  cancel(): void
}

const NEVER: Deadline = { cancel() {} }

export class Deadlines {
  readonly #lists = new Map<number, DeadlineList>()

  /** Calls `fire` after `ms` milliseconds (Infinity: never) unless cancelled first. Its timer does not keep the process alive. */
  after(ms: number, fire: () => void): Deadline {
    if (ms === Infinity) return NEVER
    let list = this.#lists.get(ms)
    if (list === undefined) {
      list = new DeadlineList(ms, () => this.#lists.delete(ms))
      this.#lists.set(ms, list)
    }
    return list.add(fire)
  }

  /** How many timeouts are pending (for tests). */
  get pending(): number {
    let n = 0
    for (const list of this.#lists.values()) n += list.size
    return n
  }
}

class Entry implements Deadline {
  readonly due: number
  readonly fire: () => void
  prev: Entry | undefined = undefined
  next: Entry | undefined = undefined
  /** Its list while pending; undefined once it has fired or been cancelled. */
  list: DeadlineList | undefined

  constructor(due: number, fire: () => void, list: DeadlineList) {
    this.due = due
    this.fire = fire
    this.list = list
  }

  cancel(): void {
    this.list?.remove(this)
  }
}

/** The pending timeouts of one duration, oldest first, and the timer for the oldest. */
class DeadlineList {
  readonly #ms: number
  /** Called once the list is empty: the owner forgets it, so durations used once do not pile up. */
  readonly #emptied: () => void
  #head: Entry | undefined
  #tail: Entry | undefined
  #timer: NodeJS.Timeout | undefined
  size = 0

  constructor(ms: number, emptied: () => void) {
    this.#ms = ms
    this.#emptied = emptied
  }

  add(fire: () => void): Entry {
    const entry = new Entry(performance.now() + this.#ms, fire, this)
    if (this.#tail === undefined) this.#head = entry
    else {
      this.#tail.next = entry
      entry.prev = this.#tail
    }
    this.#tail = entry
    this.size++
    // Armed for the first entry; a later one is due later, and the timer moves on to it when the head goes.
    this.#timer ??= this.#arm(this.#ms)
    return entry
  }

  remove(entry: Entry): void {
    const { prev, next } = entry
    if (prev === undefined) this.#head = next
    else prev.next = next
    if (next === undefined) this.#tail = prev
    else next.prev = prev
    // Unlinked in full: a removed entry that an old-generation object still points to must not keep the rest of the list alive.
    entry.prev = entry.next = entry.list = undefined
    if (--this.size > 0) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#emptied()
  }

  #arm(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.#due(), Math.min(Math.max(ms, 1), MAX_TIMER_MS))
    timer.unref()
    return timer
  }

  /** The timer fired: every entry now due fires, oldest first; the timer is armed again for the next. */
  #due(): void {
    this.#timer = undefined
    const now = performance.now()
    let head = this.#head
    while (head !== undefined && head.due <= now) {
      const { fire } = head
      this.remove(head)
      fire()
      head = this.#head
    }
    // A fire may have added an entry (and armed the timer) or emptied the list.
    if (head !== undefined) this.#timer ??= this.#arm(head.due - now)
  }
}
