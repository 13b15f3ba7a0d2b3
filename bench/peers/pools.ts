// The peer thread pools behind one small interface, each set up the way its documentation shows:
// a fixed number of threads, tasks submitted with its own run/exec/execute call.

import { fileURLToPath } from 'node:url'
import { peerFile, workerFile } from '../support.js'

/** A task every pool can run: the worker file workers/NAME.js (default export). */
export type TaskName = 'noop' | 'hash' | 'timer'

export interface PeerPool {
  run(data: unknown): Promise<unknown>
  close(): Promise<void>
}

export const PEERS = ['piscina', 'tinypool', 'workerpool', 'poolifier'] as const
export type PeerName = (typeof PEERS)[number]

export async function openPool(peer: PeerName, threads: number, task: TaskName): Promise<PeerPool> {
  switch (peer) {
    case 'piscina': {
      const { Piscina } = await import('piscina')
      const pool = new Piscina({ filename: workerFile(task).href, minThreads: threads, maxThreads: threads })
      return { run: (data) => pool.run(data), close: () => pool.close() }
    }
    case 'tinypool': {
      const { Tinypool } = await import('tinypool')
      const pool = new Tinypool({ filename: fileURLToPath(workerFile(task)), minThreads: threads, maxThreads: threads })
      return { run: (data) => pool.run(data), close: () => pool.destroy() }
    }
    case 'workerpool': {
      const workerpool = await import('workerpool')
      const pool = workerpool.pool(peerFile('workerpool-worker'), { minWorkers: threads, maxWorkers: threads, workerType: 'thread' })
      return { run: (data) => pool.exec(task, [data]), close: async () => void (await pool.terminate()) }
    }
    case 'poolifier': {
      const { FixedThreadPool } = await import('poolifier')
      const pool = new FixedThreadPool(threads, peerFile('poolifier-worker'))
      return { run: (data) => pool.execute(data, task), close: () => boundedDestroy(pool.destroy()) }
    }
  }
}

/**
 * poolifier 5.3.2's destroy() sometimes never settles (seen under load, after every task had
 * completed correctly): with nothing else holding the event loop the process then exits with
 * code 13 (unsettled top-level await), and held open it waits forever. Closing is not part of
 * any measured figure, so wait a bounded time and say so loudly on stderr.
 */
async function boundedDestroy(done: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 5000)))
  if (await Promise.race([done.then(() => false), gaveUp])) {
    process.stderr.write('warning: poolifier destroy() did not settle within 5 s (a poolifier bug); its tasks were all done, going on\n')
  }
  clearTimeout(timer)
}
