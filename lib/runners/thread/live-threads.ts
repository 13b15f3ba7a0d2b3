// The threads of the thread runner's pools that have not exited yet, for its close() to wait on.
// piscina's close() waits for the threads still in its pool, not for those it took out and
// terminated earlier: a thread that ran a job a kill stopped, or that sat idle too long. Such a
// thread may still be exiting, with its event loop's file descriptors open; one held in a system
// call (a read of a pipe) goes on until the call returns. (The soak saw such a thread's fds after
// close(), under load.)

import { once } from 'node:events'
import type { Worker } from 'node:worker_threads'
import type { Piscina } from 'piscina'

export class LiveThreads {
  readonly #threads = new Set<Worker>()

  /** Follows each thread of `piscina` from when it is ready until it exits; returns `piscina`. */
  watch(piscina: Piscina): Piscina {
    // piscina announces a thread once it is ready, while it is in the pool: among its threads.
    piscina.on('workerCreate', ({ id }: { id: number }) => {
      for (const thread of piscina.threads) if (thread.threadId === id) this.#follow(thread)
    })
    return piscina
  }

  /** Resolves once every thread followed so far has exited. */
  async exited(): Promise<void> {
    await Promise.all([...this.#threads].map((thread) => once(thread, 'exit')))
  }

  #follow(thread: Worker): void {
    this.#threads.add(thread)
    thread.once('exit', () => this.#threads.delete(thread))
  }
}
