// A Node spawner process: it starts commands for a manager whose own process may be too big to
// fork cheaply (a fork copies the caller's page tables: 25 ms per spawn from a 1 GB parent, the
// event loop blocked meanwhile). It is forked while the manager is still small and stays small
// itself. It serves where the native forker (native/forker.c, the same job in C, a spawn at a
// fraction of this one's cost) could not be built: both send the messages of protocol.ts.
//
// CommonJS on purpose: it loads synchronously, so its message listener exists before the event
// loop first runs and no order sent right after the fork can be missed, and it loads faster than
// an ES module (no module loader). It imports only node:child_process and util/child-output.cts.
//
// It keeps nothing a crash could lose: the manager knows every job's pid and signals the job's
// process group itself; a spawner that dies costs its running jobs (the manager reports them and
// kills their groups) and is replaced. When the manager dies, by any signal, the IPC channel
// closes and the spawner kills the groups of the jobs still running, then exits: no orphans.

import { spawn, type ChildProcess } from 'node:child_process'
import type { SpawnerMessage, SpawnOrder } from './protocol.js'
import { childOutput, type ChildOutput } from '../../util/child-output.cjs'

/** order id → pid, for the jobs whose leader has not exited: the groups to kill if the manager goes. */
const running = new Map<number, number>()

function send(message: SpawnerMessage): void {
  // With a callback, a send to a manager that has just died is no 'error' event (which would crash
  // this process with a stack on the manager's stderr): the 'disconnect' that follows does the rest.
  process.send!(message, undefined, undefined, sent)
}

function sent(): void {}

function start(order: SpawnOrder): void {
  const { id, capture } = order
  // Not captured: its own description of the manager's stdout pipe, whose flags no other job shares (util/child-output.cts).
  const output: ChildOutput | undefined = capture ? undefined : childOutput()
  let child: ChildProcess
  try {
    child = spawn(order.command, order.args, {
      cwd: order.cwd,
      // The spawner's environment is the manager's as the manager last checked (client.ts):
      // no env option, and Node uses process.env as is.
      env: order.env ?? (order.envOver && { ...process.env, ...order.envOver }),
      shell: order.shell,
      stdio: [order.input === undefined ? 'ignore' : 'pipe', output?.stdout ?? 'pipe', output?.stderr ?? 'pipe'],
      // Each job leads its own process group, so the manager can signal -pid.
      detached: true,
    })
  } catch (error) {
    fail(id, error as NodeJS.ErrnoException, true)
    return
  } finally {
    output?.close()
  }
  const pid = child.pid
  if (pid === undefined) {
    // Not started (ENOENT, EACCES): spawn reports it by an 'error' event.
    child.on('error', (error: NodeJS.ErrnoException) => fail(id, error, false))
    return
  }
  running.set(id, pid)
  send({ type: 'started', id, pid })
  if (order.input !== undefined) {
    // A child that exits without reading its input closes the pipe under the write: EPIPE, not a failure.
    child.stdin!.on('error', () => {})
    child.stdin!.end(order.input)
  }
  if (capture) {
    relay(id, 1, child.stdout!, order.maxBuffer)
    relay(id, 2, child.stderr!, order.maxBuffer)
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => send({ type: 'closed', id, code, signal }))
  }
  child.on('exit', (code, signal) => {
    running.delete(id)
    send({ type: 'exit', id, code, signal })
  })
}

/** Sends a stream's chunks up to one past `maxBuffer` bytes: enough for the manager to see the overflow, never more to hold. */
function relay(id: number, fd: 1 | 2, stream: NodeJS.ReadableStream, maxBuffer: number): void {
  let sent = 0
  stream.on('data', (chunk: Buffer) => {
    if (sent > maxBuffer) return
    sent += chunk.length
    send({ type: 'output', id, fd, chunk })
  })
}

function fail(id: number, error: NodeJS.ErrnoException, thrown: boolean): void {
  send({ type: 'failed', id, code: error.code, message: error.message, thrown })
}

process.on('message', start)

// The manager is gone (exited, or killed by any signal): so are its jobs.
process.on('disconnect', () => {
  for (const pid of running.values()) {
    try {
      process.kill(-pid, 'SIGKILL')
      /* c8 ignore next 3 -- a group still in `running` has its leader, alive or not yet reaped; this is only for safety */
    } catch {
      // The group ended meanwhile.
    }
  }
  process.exit(0)
})

send({ type: 'ready' })
