// A Node child's stdout and stderr that are pipes (or sockets) write synchronously, as a terminal's
// and a file's do. Node writes to a pipe asynchronously on Linux and macOS: what the reader has not
// taken yet waits in the process, and goes with it when the process exits (process.exit(), a
// crash, a pool worker retired): a child that wrote 500,000 bytes to a pipe read a
// moment late delivered 65,536, the pipe's buffer. Blocking, a write returns once the pipe has
// every byte, as in a C program; Node makes stdout and stderr pipes blocking on Windows, and
// terminals everywhere, the same way (setBlocking on the stream's handle).
//
// The stream is made blocking when it is first used, not here: creating process.stdout costs a
// fresh process 10-30 ms of start-up (it loads node:net), which one that never writes
// should not pay. The parent gives such a child a description of the pipe of its own where it can
// (util/child-output.cts), so that the flag it changes is its own.

interface WithHandle {
  _type?: string
  _handle?: { setBlocking?(blocking: boolean): number }
}

/** Makes process.stdout and process.stderr blocking from their first use, when they are pipes or sockets. */
export function blockingOutput(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    // Node defines both as configurable getters that create the stream once (lib/internal/bootstrap/node.js).
    const descriptor = Object.getOwnPropertyDescriptor(process, name)!
    const get = descriptor.get!.bind(process)
    Object.defineProperty(process, name, {
      ...descriptor,
      get() {
        Object.defineProperty(process, name, descriptor)
        const stream = get() as NodeJS.WriteStream & WithHandle
        // 'pipe' is Node's _type for a stream on a pipe or a socket; a file's or a terminal's is already synchronous.
        if (stream._type === 'pipe') stream._handle?.setBlocking?.(true)
        return stream
      },
    })
  }
}
