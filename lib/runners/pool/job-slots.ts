// The jobs one worker process has, each under the id that process knows it by: its slot in an
// array here, reused once the job has ended. Not a Map from ever-growing ids: a Map that every
// job passes through keeps jobs alive after they end (util/indexed-list.ts says how), and small
// reused ids let the process keep its own jobs in an array as well (runtime.ts).
//
// A freed slot is given out again only once no order that names its old job can still be
// waiting to be sent. Otherwise a stop of the old job could go out in the same batch as the new
// job, and the process, which takes a batch's jobs before its stops, would stop the new one.
// Orders already sent arrive in the order they were sent, so the old job's stop reaches the
// process before the new job does and finds nothing to stop.

export class JobSlots<T> {
  readonly #jobs: Array<T | undefined> = []
  /** Slots that may be given out. */
  readonly #free: number[] = []
  /** Slots freed while a batch of orders was waiting to be sent: free once it has gone. */
  readonly #freedUnsent: number[] = []
  #size = 0

  /** Jobs in the slots. */
  get size(): number {
    return this.#size
  }

  /** Puts the job in a free slot and returns the slot: the job's id for the process. */
  add(job: T): number {
    this.#size++
    const slot = this.#free.pop()
    if (slot === undefined) return this.#jobs.push(job) - 1
    this.#jobs[slot] = job
    return slot
  }

  /** The job in `slot`; undefined when the slot is free. */
  get(slot: number): T | undefined {
    return this.#jobs[slot]
  }

  /** Frees the job's slot. `unsent`: a batch of orders is waiting to be sent (see the top of this file). */
  delete(slot: number, unsent: boolean): void {
    this.#jobs[slot] = undefined
    this.#size--
    if (unsent) this.#freedUnsent.push(slot)
    else this.#free.push(slot)
  }

  /** The batch that was waiting has been sent: the slots freed meanwhile may be given out. */
  sent(): void {
    for (const slot of this.#freedUnsent) this.#free.push(slot)
    this.#freedUnsent.length = 0
  }

  /** The jobs, in no particular order. */
  values(): T[] {
    return this.#jobs.filter((job): job is T => job !== undefined)
  }

  /** Frees every slot: the process is gone. */
  clear(): void {
    this.#jobs.length = 0
    this.#free.length = 0
    this.#freedUnsent.length = 0
    this.#size = 0
  }
}
