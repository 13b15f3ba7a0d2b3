// --pipe: stdin cut into blocks of about --block bytes (or -N records), each cut where one record
// ends (--recend, default a newline) and the next starts (--recstart), each fed to one job's stdin.

export interface PipeOptions {
  blockBytes: number
  recstart: string
  recend: string
  /** -N: this many records per block instead of a size. */
  records: number | undefined
}

/** Where a block may end: after a record's end and before a record's start. */
function boundaries(o: PipeOptions): { between: Buffer; offset: number } {
  return { between: Buffer.from(o.recend + o.recstart), offset: Buffer.byteLength(o.recend) }
}

/** The end of the last whole record within the first `limit` bytes, or of the first one after; -1: none yet. */
export function cutPoint(buffer: Buffer, limit: number, o: PipeOptions): number {
  const { between, offset } = boundaries(o)
  if (between.length === 0) return Math.min(limit, buffer.length)
  const before = buffer.lastIndexOf(between, limit - offset)
  if (before >= 0 && before + offset > 0) return before + offset
  const after = buffer.indexOf(between, Math.max(0, limit - offset + 1))
  return after === -1 ? -1 : after + offset
}

/** The end of the `n`th record, or -1 if the buffer holds fewer. */
export function recordsEnd(buffer: Buffer, n: number, o: PipeOptions): number {
  const { between, offset } = boundaries(o)
  let at = 0
  for (let i = 0; i < n; i++) {
    const found = buffer.indexOf(between, Math.max(0, at - offset + 1))
    if (found === -1 || between.length === 0) return -1
    at = found + offset
  }
  return at
}

export async function* blocks(stream: AsyncIterable<Buffer>, o: PipeOptions): AsyncGenerator<Buffer> {
  let buffer: Buffer = Buffer.alloc(0)
  const next = (): number => {
    if (o.records !== undefined) return recordsEnd(buffer, o.records, o)
    return buffer.length >= o.blockBytes ? cutPoint(buffer, o.blockBytes, o) : -1
  }
  for await (const chunk of stream) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
    for (let cut = next(); cut > 0; cut = next()) {
      yield buffer.subarray(0, cut)
      buffer = buffer.subarray(cut)
    }
  }
  if (buffer.length > 0) yield buffer
}
