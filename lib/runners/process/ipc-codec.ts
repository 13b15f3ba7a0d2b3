// Node's own IPC wire format, serialization 'advanced', for the manager's end of a channel that
// Node did not make: a fresh process started by the native forker gets, as its fd 3, a connection
// to this process's socket (channel-server.ts), and Node in the child runs its ordinary IPC over
// it (NODE_CHANNEL_FD). So the child's side is Node's process.send() and 'message', unchanged,
// and this side speaks what Node's child_process would: each message a big-endian u32 length,
// then V8's serialization of it, with ArrayBufferViews (Buffers, typed arrays) tagged 0 and other
// host objects tagged 1 and sent as a plain copy (Node's lib/internal/child_process/serialization.js,
// the same in Node 20, 22 and 24).

import v8 from 'node:v8'

const ARRAY_BUFFER_VIEW = 0
const NOT_ARRAY_BUFFER_VIEW = 1

/** The host-object hooks @types/node leaves out (v8's DefaultSerializer and DefaultDeserializer have them). */
interface HostWriter {
  _writeHostObject(this: v8.Serializer, object: object): void
}
interface HostReader {
  _readHostObject(this: v8.Deserializer): unknown
}

class IpcSerializer extends v8.DefaultSerializer {
  _writeHostObject(object: object): void {
    if (ArrayBuffer.isView(object)) {
      this.writeUint32(ARRAY_BUFFER_VIEW)
      ;(v8.DefaultSerializer.prototype as unknown as HostWriter)._writeHostObject.call(this, object)
      return
    }
    this.writeUint32(NOT_ARRAY_BUFFER_VIEW)
    this.writeValue({ ...object })
  }
}

class IpcDeserializer extends v8.DefaultDeserializer {
  _readHostObject(): unknown {
    const host = v8.DefaultDeserializer.prototype as unknown as HostReader
    if (this.readUint32() === ARRAY_BUFFER_VIEW) return host._readHostObject.call(this)
    return this.readValue()
  }
}

/** One message as Node's IPC frames it. Throws, as process.send() does, for a value that cannot be cloned. */
export function encodeIpcMessage(message: unknown): Buffer {
  const serializer = new IpcSerializer()
  serializer.writeRawBytes(Buffer.alloc(4))
  serializer.writeHeader()
  serializer.writeValue(message)
  const frame = serializer.releaseBuffer()
  frame.writeUInt32BE(frame.length - 4, 0)
  return frame
}

/**
 * Turns a channel's byte stream back into messages, whatever the reads cut it into. Chunks are
 * kept apart until a whole message is there and joined once, as Node does: a 20 MB reply comes
 * in some 300 reads, and joining at each would copy it 150 times over.
 */
export class IpcMessageReader {
  #chunks: Buffer[] = []
  #size = 0
  readonly #onMessage: (message: unknown) => void

  constructor(onMessage: (message: unknown) => void) {
    this.#onMessage = onMessage
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#size += chunk.length
    while (this.#size >= 4) {
      if (this.#chunks[0]!.length < 4) this.#chunks = [Buffer.concat(this.#chunks, this.#size)]
      const end = 4 + this.#chunks[0]!.readUInt32BE(0)
      if (this.#size < end) return
      const data = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size)
      const deserializer = new IpcDeserializer(data.subarray(4, end))
      deserializer.readHeader()
      const message: unknown = deserializer.readValue()
      this.#chunks = end === data.length ? [] : [data.subarray(end)]
      this.#size = data.length - end
      this.#onMessage(message)
    }
  }
}
