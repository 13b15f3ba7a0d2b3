// Commands: a program and its arguments, never a shell unless `shell: true`. The direct path
// lives here; the spawner path, with the same outcomes, in spawner/client.ts.

import { spawn, type ChildProcess } from 'node:child_process'
import type { CommandSpec } from './spec.js'
import { maxBufferError, notStarted } from './command-failures.js'
import type { Execution, Outcome } from './execution.js'
import { groupStopper } from './kill-tree.js'
import { startOnSpawner } from './spawner/client.js'
import { processSpawners, type SpawnerSet } from './spawner/spawners.js'
import { StreamBuffer } from './stream-buffer.js'
import { serializeError } from '../util/serialize-error.js'
import { settleOnce } from '../util/once.js'
// A default import: a TypeScript loader (tap's, tsx) can hide a .cts file's named exports from an ES module.
import childOutputModule from '../util/child-output.cjs'

const { childOutput } = childOutputModule

/**
 * Starts a command in its own process group. The ways it can start, each for its own reason,
 * all with the same outcomes (test/runners/command.test.ts runs every case on each):
 * - on one of `spawners` (by default this process's; spawner/), the default: a spawn costs the
 *   same from a manager of any size, and a manager killed by SIGKILL leaves no command behind.
 *   The spawner is the native forker (native/forker.c) where the install could build it, a Node
 *   spawner process (spawner/runtime.cts) where no C compiler was there: the same guarantees at a
 *   higher cost per spawn.
 * - from this process with child_process.spawn, below: with `spawner: false` (no helper
 *   processes), and once spawners keep dying before they are ready (SpawnerSet.pick), so that a
 *   machine that cannot start them still runs its jobs.
 * docs/isolation.md (Spawner processes) says the same to users.
 */
export function startCommand(spec: CommandSpec, spawners: SpawnerSet | null = processSpawners()): Execution {
  const spawner = spawners?.pick()
  if (spawner !== undefined) return startOnSpawner(spec, spawner)
  return startHere(spec)
}

function startHere(spec: CommandSpec): Execution {
  const outcome = settleOnce<Outcome>()
  // Not captured: its own description of this process's stdout pipe, whose flags no other job shares (util/child-output.cts).
  const output = spec.capture ? undefined : childOutput()
  let child: ChildProcess
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env && { ...process.env, ...spec.env },
      shell: spec.shell,
      stdio: [spec.input === undefined ? 'ignore' : 'pipe', output?.stdout ?? 'pipe', output?.stderr ?? 'pipe'],
      detached: true,
    })
  } catch (error) {
    // spawn() throws some failures (E2BIG, a NUL in an argument; with pipes, ENOTDIR for a cwd that
    // is a file) instead of emitting them. A bare command's is the error as thrown, as a spawner reports it.
    const bare = !spec.capture && spec.input === undefined && !spec.shell
    outcome.settle(bare ? { exitCode: null, signal: null, error: serializeError(error) } : notStarted(spec, error as NodeJS.ErrnoException))
    return { kind: 'command', pid: null, outcome: outcome.promise, stop: () => {} }
  } finally {
    output?.close()
  }
  const pid = child.pid ?? null
  const group = groupStopper(pid, () => outcome.settled)
  child.on('error', (error) => outcome.settle(notStarted(spec, error)))
  if (spec.input !== undefined && pid !== null) {
    // A child that exits without reading its input closes the pipe under the write: EPIPE, not a failure.
    child.stdin!.on('error', () => {})
    child.stdin!.end(spec.input)
  }
  if (!spec.capture) {
    child.on('exit', (exitCode, signal) => {
      group.reap()
      outcome.settle({ exitCode, signal, error: null })
    })
    return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
  }
  const overflow = (): void => group.stop('SIGTERM')
  const stdout = new StreamBuffer(spec.maxBuffer, overflow)
  const stderr = new StreamBuffer(spec.maxBuffer, overflow)
  child.stdout!.on('data', (chunk: Buffer) => stdout.add(chunk))
  child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk))
  child.on('exit', group.reap)
  // 'close' comes once both pipes have ended, so the output is whole.
  child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
    const encoding = spec.encoding ?? 'utf8'
    const done: Outcome = { exitCode, signal, error: null, details: { stdout: stdout.text(encoding), stderr: stderr.text(encoding) } }
    if (stdout.overflowed || stderr.overflowed) done.error = maxBufferError(spec)
    outcome.settle(done)
  })
  return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
}
