// Output grouping: each job's output is printed whole, as it finishes or (--keep-order) in input order.

export interface JobOutput {
  stdout: string
  stderr: string
}

export class OrderedPrinter {
  readonly #keepOrder: boolean
  readonly #print: (output: JobOutput) => void
  readonly #held = new Map<number, JobOutput>()
  #next = 1

  constructor(keepOrder: boolean, print: (output: JobOutput) => void) {
    this.#keepOrder = keepOrder
    this.#print = print
  }

  /** Hands over job `seq`'s output. Every job number must be delivered once (empty for jobs not run). */
  deliver(seq: number, output: JobOutput): void {
    if (!this.#keepOrder) {
      this.#print(output)
      return
    }
    this.#held.set(seq, output)
    for (let ready = this.#held.get(this.#next); ready !== undefined; ready = this.#held.get(this.#next)) {
      this.#held.delete(this.#next++)
      this.#print(ready)
    }
  }
}
