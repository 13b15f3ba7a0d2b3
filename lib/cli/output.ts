// Output grouping: each job's output is printed whole, byte for byte, as it finishes or
// (--keep-order) in input order; --tag puts a prefix before each of its lines.

export interface JobOutput {
  stdout: Buffer
  stderr: Buffer
}

export const NO_OUTPUT: JobOutput = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }

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

const NEWLINE = 0x0a

/** `prefix` before every line of `text` (a last line without its newline too), as --tag does. */
export function tagLines(text: Buffer, prefix: Buffer | undefined): Buffer {
  if (prefix === undefined || text.length === 0) return text
  const parts: Buffer[] = []
  for (let start = 0; start < text.length;) {
    const end = text.indexOf(NEWLINE, start)
    const stop = end === -1 ? text.length : end + 1
    parts.push(prefix, text.subarray(start, stop))
    start = stop
  }
  return Buffer.concat(parts)
}
