// A worker that fails on request, for tests and the soak: data.mode picks the fault.
// 'kill' signals the whole process: use it only with isolation 'process'.
import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { finish, type WorkerContext } from '../lib/index.js'

export interface FaultOrder {
  mode: 'ok' | 'finish' | 'throw' | 'throw-string' | 'exit' | 'exit-later' | 'busy' | 'kill' | 'hang' | 'hang-deaf' | 'uncloneable'
    | 'spawn-sleeper' | 'alloc'
  code?: number
  signal?: NodeJS.Signals
  value?: unknown
  ms?: number
  /**
   * A file to create once the job is under way, for tests that must act on a running job (not on
   * one still on its way): 'hang' and 'spawn-sleeper' create it once they listen to ctx.signal,
   * 'hang-deaf' once it waits without listening, 'busy' just before it holds the event loop.
   */
  ready?: string
  /**
   * Read ctx.signal first, so that the job counts as listening: 'busy' then hears a stop only once
   * its loop is free, 'hang-deaf' hears it and ignores it.
   */
  listen?: boolean
}

/** Creates order.ready, when there is one. */
function signalReady(order: FaultOrder): void {
  if (order.ready !== undefined) writeFileSync(order.ready, '')
}

export default async function fault(order: FaultOrder, ctx: WorkerContext): Promise<unknown> {
  switch (order.mode) {
    case 'ok':
      return order.value
    case 'finish':
      return finish(order.code ?? 0, order.value)
    case 'throw':
      throw new RangeError(`asked to throw in ${ctx.ident}`)
    case 'throw-string':
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a worker that throws a non-Error is what this tests
      throw 'a bare string'
    case 'exit':
      return process.exit(order.code ?? 0)
    case 'exit-later':
      // Lets the jobs started with it in the same turn finish first (a few microtask turns each).
      for (let turn = 0; turn < 50; turn++) await Promise.resolve()
      return process.exit(order.code ?? 0)
    case 'kill':
      process.kill(process.pid, order.signal ?? 'SIGKILL')
      return sleep(10_000)
    case 'busy': {
      // Holds the event loop for ms: nothing reaches the process meanwhile.
      const until = Date.now() + (order.ms ?? 200)
      if (order.listen === true) void ctx.signal
      signalReady(order)
      while (Date.now() < until);
      return 'done'
    }
    case 'hang': {
      // Listens for the stop: returns as soon as ctx.signal fires.
      const woken = sleep(order.ms ?? 600_000, undefined, { signal: ctx.signal })
      signalReady(order)
      await woken
      return 'woke up'
    }
    case 'hang-deaf': {
      // Never looks at ctx.signal (or, with order.listen, looks and ignores it): only a kill ends it.
      if (order.listen === true) void ctx.signal
      const done = new Promise((resolve) => setTimeout(resolve, order.ms ?? 600_000))
      signalReady(order)
      return done
    }
    case 'alloc': {
      // Allocates until the heap limit (execArgv --max-old-space-size, or a thread's resourceLimits) ends it.
      const hoard: number[][] = []
      for (;;) hoard.push(new Array<number>(1_000_000).fill(hoard.length))
    }
    case 'uncloneable':
      return { fn: () => 1 }
    case 'spawn-sleeper': {
      // Starts a grandchild and waits: a stop must take the grandchild too.
      const { spawn } = await import('node:child_process')
      const child = spawn('sleep', [String((order.value as string | number | undefined) ?? 300)], { stdio: 'ignore' })
      const woken = sleep(order.ms ?? 600_000, undefined, { signal: ctx.signal })
      signalReady(order)
      await woken
      return child.pid
    }
  }
}
