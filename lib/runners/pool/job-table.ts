// The jobs one worker process has, each under the id that process knows it by: its index in an
// array here, reused once the job has ended. Not a Map from ever-growing ids: a Map that every
// job passes through keeps jobs alive after they end (util/indexed-list.ts says how), and small
// reused ids let the process keep its own jobs in an array as well (runtime.ts).
//
// A freed id is given out again only once no order that names its old job can still be
// waiting to be sent. Otherwise a stop of the old job could go out in the same batch as the new
// job, and the process, which takes a batch's jobs before its stops, would stop the new one.
// Orders already sent arrive in the order they were sent, so the old job's stop reaches the
// process before the new job does and finds nothing to stop.

export class JobTable<T> {
  readonly #jobs: Array<T | undefined> = []
  /** Ids that may be given out. */
  readonly #free: number[] = []
  /** Ids freed while a batch of orders was waiting to be sent: free once it has gone. */
  readonly #freedUnsent: number[] = []
  #size = 0

  /** Jobs in the table. */
  get size(): number {
    return this.#size
  }

  /** Puts the job under a free id and returns the id: the job's id for the process. */
  add(job: T): number {
    this.#size++
    const id = this.#free.pop()
    if (id === undefined) return this.#jobs.push(job) - 1
    this.#jobs[id] = job
    return id
  }

  /** The job under `id`; undefined when the id is free. */
  get(id: number): T | undefined {
    return this.#jobs[id]
  }

  /** Frees the job's id. `unsent`: a batch of orders is waiting to be sent (see the top of this file). */
  delete(id: number, unsent: boolean): void {
    this.#jobs[id] = undefined
    this.#size--
    if (unsent) this.#freedUnsent.push(id)
    else this.#free.push(id)
  }

  /** The batch that was waiting has been sent: the ids freed meanwhile may be given out. */
  sent(): void {
    for (const id of this.#freedUnsent) this.#free.push(id)
    this.#freedUnsent.length = 0
  }

  /** The jobs, in no particular order. */
  values(): T[] {
    return this.#jobs.filter((job): job is T => job !== undefined)
  }

  /** Frees every id: the process is gone. */
  clear(): void {
    this.#jobs.length = 0
    this.#free.length = 0
    this.#freedUnsent.length = 0
    this.#size = 0
  }
}
