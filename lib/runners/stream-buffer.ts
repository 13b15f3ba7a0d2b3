// A captured stream of a command, held up to its job's maxBuffer.

/** Collects one captured stream up to `limit` bytes; `onOverflow` fires once when more arrives. */
export class StreamBuffer {
  readonly #chunks: Buffer[] = []
  #bytes = 0
  overflowed = false

  constructor(readonly limit: number, readonly onOverflow: () => void) {}

  add(chunk: Buffer): void {
    if (this.overflowed) return
    const room = this.limit - this.#bytes
    if (chunk.length > room) {
      this.#chunks.push(chunk.subarray(0, room))
      this.#bytes = this.limit
      this.overflowed = true
      this.onOverflow()
      return
    }
    this.#chunks.push(chunk)
    this.#bytes += chunk.length
  }

  /** The stream as text; 'latin1' maps each byte to one character, so binary output survives. */
  text(encoding: BufferEncoding): string {
    return Buffer.concat(this.#chunks, this.#bytes).toString(encoding)
  }
}
