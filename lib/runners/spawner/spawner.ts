// One spawner process, seen from the manager's side: it sends each job's order, routes what
// comes back to that job, and, when the process ends, tells the jobs it still had. The process is
// the native forker (native/forker.c, built at install) where there is one, otherwise a Node
// process running runtime.cts: both report the same messages.

import { accessSync, constants } from 'node:fs'
import { fork, spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { encodeOrder, nulFailure, ReportReader } from './native-codec.js'
import type { SpawnerMessage, SpawnOrder } from './protocol.js'

const SPAWNER_RUNTIME = new URL('./runtime.cjs', import.meta.url)

/** Where the install script (scripts/build-forker.mjs) puts the native forker: the package's build/. */
const FORKER = new URL('../../../../build/forker', import.meta.url).pathname

/**
 * Node flags of a spawner: not this process's (a TypeScript loader, --cpu-prof, --inspect are of
 * no use to it), only --single-threaded: V8 then does its GC and compiling on the one thread,
 * and each fork costs the spawner less. Measured with the forkpool command (1000 `true` jobs at
 * -j 2, five runs alternating): its two spawners used 11% less CPU (6.9 s against 7.7 s) and the
 * run took 7% less time. Its fork cost also grows with its anonymous memory, about 10 MB after
 * 200 jobs; flags for a smaller heap (--max-semi-space-size=1, --max-old-space-size, --jitless)
 * measured no smaller.
 */
const EXEC_ARGV: string[] = ['--single-threaded']

/**
 * What a spawner runs. `forker`: the native forker's path, or false for the Node runtime (the
 * default: the built forker if it is there). `runtime` and `execPath`, for the Node runtime
 * (and tests: a runtime that fails, a node that is not there), choose it.
 */
export interface SpawnerFiles {
  forker?: string | false
  runtime?: URL
  execPath?: string
}

/** The native forker at `path` (by default the built one), if it is there and may be run; otherwise false. */
export function builtForker(path = FORKER): string | false {
  try {
    accessSync(path, constants.X_OK)
    return path
  } catch {
    return false
  }
}

/** Looked up once: whether the forker was built does not change while the process runs. */
let defaultForker: string | false | undefined

/** The native forker these files choose, or false for the Node runtime. */
export function forkerOf(where: SpawnerFiles): string | false {
  if (where.forker !== undefined) return where.forker
  if (where.runtime !== undefined || where.execPath !== undefined) return false
  return (defaultForker ??= builtForker())
}

/** A spawner's message about one job. */
export type JobMessage = Exclude<SpawnerMessage, { type: 'ready' }>

/** What a job started on a spawner hears of it. */
export interface SpawnerJob {
  /** A message of this job; returns true when it was the job's last (it has ended, for the spawner). */
  message(message: JobMessage): boolean
  /** The spawner ended before the job did: `why` says how. */
  lost(why: string): void
}

/** The channel to a spawner process: the orders out, the messages in, and the handles to hold. */
interface Channel {
  send(order: SpawnOrder): void
  /** The handles that keep this process alive while a spawner starts or runs a job. */
  handles: { ref(): void; unref(): void }[]
}

/** A Node spawner's: its IPC channel, whose close is heard as 'disconnect'. */
function ipcChannel(child: ChildProcess, route: (message: SpawnerMessage) => void, closed: () => void): Channel {
  child.on('message', route)
  child.on('disconnect', closed)
  return { send: (order) => child.send(order), handles: [child, child.channel!] }
}

/** The native forker's: orders on its stdin, reports on its fd 3. */
function pipeChannel(child: ChildProcess, route: (message: SpawnerMessage) => void, closed: () => void): Channel {
  const orders = child.stdin as Writable & { ref(): void; unref(): void }
  const reports = child.stdio[3] as Readable & { ref(): void; unref(): void }
  const reader = new ReportReader(route)
  reports.on('data', (chunk: Buffer) => reader.push(chunk))
  reports.on('close', closed)
  // Writing to a forker that has just died: its exit tells the jobs, not an 'error' thrown here.
  orders.on('error', () => {})
  return {
    send(order) {
      // What the forker could not carry fails as spawn() would fail it, without a round trip.
      const failure = nulFailure(order)
      if (failure === undefined) orders.write(encodeOrder(order))
      else process.nextTick(route, failure)
    },
    handles: [child, orders, reports],
  }
}

/** What the spawner's channel brings, in order: its messages, then its end. */
type Routed = SpawnerMessage | { type: 'end'; why: string }

export class Spawner {
  readonly #child: ChildProcess
  readonly #channel: Channel
  readonly #jobs = new Map<number, SpawnerJob>()
  #nextId = 0
  /** Reasons this process is kept alive for: being started, and each job in flight. */
  #holds = 0
  /** How the process ended, once it has. */
  #exit = ''
  #isReady = false
  /** Set from a job's start until this synchronous run of messages ends (see #route). */
  #afterStart = false
  /** Messages held back for a later turn of the event loop (see #route). */
  #later: Routed[] | undefined
  #resolveReady!: (ready: boolean) => void
  readonly #onEnd: (spawner: Spawner, wasReady: boolean) => void
  /** The environment it was forked with, which is its process.env: an order whose environment is this one need not carry it. */
  readonly env: Readonly<Record<string, string | undefined>> = { ...process.env }
  /** True once the spawner listens; false if it ended before. */
  readonly ready = new Promise<boolean>((resolve) => (this.#resolveReady = resolve))

  /** `onEnd` hears the spawner's end, and whether it had been ready. */
  constructor(onEnd: (spawner: Spawner, wasReady: boolean) => void, where: SpawnerFiles = {}) {
    this.#onEnd = onEnd
    const forker = forkerOf(where)
    // Its own session (detached): a terminal's Ctrl-C goes to the manager, which decides what its jobs get.
    // Its children's inherited stdout and stderr are this process's.
    this.#child = forker
      ? spawn(forker, [], { env: this.env, stdio: ['pipe', 'inherit', 'inherit', 'pipe'], detached: true })
      : fork(where.runtime ?? SPAWNER_RUNTIME, [], {
        execPath: where.execPath ?? process.execPath,
        execArgv: EXEC_ARGV,
        env: this.env,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
        detached: true,
      })
    // Its last messages may come after 'exit', or its channel close first: it has ended once both have happened.
    let waits = 2
    const ending = (): void => {
      if (--waits === 0) this.#end(this.#exit)
    }
    const route = (message: SpawnerMessage): void => this.#route(message)
    // No process (its 'error' below is on the way): an order sent meanwhile goes nowhere, and the
    // job hears of the failed start from #end.
    if (this.#child.pid === undefined) this.#channel = { send() {}, handles: [] }
    else this.#channel = forker ? pipeChannel(this.#child, route, ending) : ipcChannel(this.#child, route, ending)
    // Never what keeps this process alive, except while it starts or runs a job (#hold).
    this.#hold()
    this.#child.on('error', (error) => {
      // No process (EAGAIN, ENOMEM, no such file): nothing else will come. Otherwise a send to a spawner that just died: its exit tells.
      if (this.#child.pid === undefined) this.#end(`could not start: ${error.message}`)
    })
    this.#child.on('exit', (code, signal) => {
      this.#exit = signal === null ? `exited with code ${code}` : `was killed by ${signal}`
      ending()
    })
    void this.ready.then((ready) => {
      if (ready) this.#release()
    })
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  /** Jobs in flight on it. */
  get load(): number {
    return this.#jobs.size
  }

  /** Sends the order; `job` hears what becomes of it. */
  run(order: Omit<SpawnOrder, 'id'>, job: SpawnerJob): void {
    const id = this.#nextId++
    this.#jobs.set(id, job)
    this.#hold()
    this.#channel.send({ ...order, id })
  }

  /**
   * Whoever awaits a job's start must find it running, as with a direct spawn, whose exit cannot
   * come in the turn that spawned it. A start and an exit may come in one read of the channel
   * (with no microtask between them, however the read's messages are then emitted): what follows
   * a start in the same run of messages waits for a later turn of the event loop, in order. Only
   * those pay a setImmediate; a job whose exit comes in a later read pays none. The spawner's own
   * end is routed too, so that it comes after the messages it sent before it.
   */
  #route(message: Routed): void {
    if (this.#later !== undefined) {
      this.#later.push(message)
      return
    }
    if (this.#afterStart) {
      this.#later = [message]
      setImmediate(() => this.#routeLater())
      return
    }
    if (message.type === 'started') {
      this.#afterStart = true
      queueMicrotask(() => (this.#afterStart = false))
    }
    this.#deliver(message)
  }

  #routeLater(): void {
    const later = this.#later!
    this.#later = undefined
    for (const message of later) this.#route(message)
  }

  #deliver(message: Routed): void {
    if (message.type === 'end') {
      const lost = [...this.#jobs.values()]
      this.#jobs.clear()
      this.#resolveReady(false)
      this.#onEnd(this, this.#isReady)
      for (const job of lost) job.lost(message.why)
      return
    }
    if (message.type === 'ready') {
      this.#isReady = true
      this.#resolveReady(true)
      return
    }
    // A job stays until its last message, and nothing comes after the spawner's end: it is there.
    if (this.#jobs.get(message.id)!.message(message)) {
      this.#jobs.delete(message.id)
      this.#release()
    }
  }

  #end(why: string): void {
    this.#route({ type: 'end', why })
  }

  /**
   * Both handles: the channel for the job's messages, the process so that its death, if it
   * comes, is heard (its 'exit') even once the channel has closed.
   */
  #hold(): void {
    if (this.#holds++ > 0) return
    for (const handle of this.#channel.handles) handle.ref()
  }

  #release(): void {
    if (--this.#holds > 0) return
    for (const handle of this.#channel.handles) handle.unref()
  }
}
