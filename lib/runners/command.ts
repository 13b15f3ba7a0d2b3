// Commands: a program and its arguments, never a shell unless `shell: true`. The direct path
// lives here; the spawner path, with the same outcomes, in spawner/client.ts.

import { spawn } from 'node:child_process'
import type { StdoutStderrOption } from 'execa'
import type { CommandSpec } from './spec.js'
import { maxBufferError, notStarted } from './command-failures.js'
import type { Execution, Outcome } from './execution.js'
import { groupStopper } from './kill-tree.js'
import { startOnSpawner } from './spawner/client.js'
import { processSpawners, type SpawnerSet } from './spawner/spawners.js'
import { StreamBuffer } from './stream-buffer.js'
import { settleOnce } from '../util/once.js'
// A default import: a TypeScript loader (tap's, tsx) can hide a .cts file's named exports from an ES module.
import childOutputModule from '../util/child-output.cjs'

const { childOutput } = childOutputModule

/**
 * Starts a command in its own process group: through one of `spawners` (lib/runners/spawner/;
 * by default this process's), or, with none (spawner: false, or spawners that cannot start),
 * from this process as below. Jobs without input or shell go straight to
 * child_process.spawn: execa's per-call setup costs about 1.5x a bare spawn for /bin/true
 * even with its stdio ignored, and several milliseconds per job with capture (7 s against
 * 1.2 s for 1000 captured /bin/true jobs at cap 2), which the forkpool command pays on every
 * job. Input and shell go through execa (stdin feeding, shell quoting), loaded only when first needed.
 */
export async function startCommand(spec: CommandSpec, spawners: SpawnerSet | null = processSpawners()): Promise<Execution> {
  const spawner = spawners?.pick()
  if (spawner !== undefined) return startOnSpawner(spec, spawner)
  if (spec.input !== undefined || spec.shell) return startWithExeca(spec)
  return spec.capture ? startCaptured(spec) : startBare(spec)
}

function env(spec: CommandSpec): NodeJS.ProcessEnv | undefined {
  return spec.env && { ...process.env, ...spec.env }
}

function startBare(spec: CommandSpec): Execution {
  const outcome = settleOnce<Outcome>()
  // Its own description of this process's stdout pipe, whose flags no other job shares (util/child-output.cts).
  const output = childOutput()
  let child: ReturnType<typeof spawn>
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: env(spec),
      stdio: ['ignore', output.stdout, output.stderr],
      detached: true,
    })
  } finally {
    output.close()
  }
  const pid = child.pid ?? null
  const group = groupStopper(pid, () => outcome.settled)
  child.on('error', (error) => outcome.settle(notStarted(spec, error)))
  child.on('exit', (exitCode, signal) => {
    group.reap()
    outcome.settle({ exitCode, signal, error: null })
  })
  return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
}

function startCaptured(spec: CommandSpec): Execution {
  const outcome = settleOnce<Outcome>()
  let child: ReturnType<typeof spawn>
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: env(spec),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
  } catch (error) {
    // With pipes, spawn throws some failures (ENOTDIR: cwd is a file) instead of emitting them.
    outcome.settle(notStarted(spec, error as NodeJS.ErrnoException))
    return { kind: 'command', pid: null, outcome: outcome.promise, stop: () => {} }
  }
  const pid = child.pid ?? null
  const group = groupStopper(pid, () => outcome.settled)
  const overflow = (): void => group.stop('SIGTERM')
  const stdout = new StreamBuffer(spec.maxBuffer, overflow)
  const stderr = new StreamBuffer(spec.maxBuffer, overflow)
  child.stdout!.on('data', (chunk: Buffer) => stdout.add(chunk))
  child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk))
  child.on('error', (error) => outcome.settle(notStarted(spec, error)))
  child.on('exit', group.reap)
  // 'close' comes once both pipes have ended, so the output is whole.
  child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
    const done: Outcome = {
      exitCode, signal, error: null, stdout: stdout.text(spec.encoding ?? 'utf8'), stderr: stderr.text(spec.encoding ?? 'utf8'),
    }
    if (stdout.overflowed || stderr.overflowed) done.error = maxBufferError(spec)
    outcome.settle(done)
  })
  return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
}

async function startWithExeca(spec: CommandSpec): Promise<Execution> {
  const { execa } = await import('execa')
  const outcome = settleOnce<Outcome>()
  const output = spec.capture ? undefined : childOutput()
  // execa's types name fd numbers up to 9 only; at run time it hands any number to spawn() as it is.
  const stdout = (output?.stdout ?? 'pipe') as StdoutStderrOption
  const stderr = (output?.stderr ?? 'pipe') as StdoutStderrOption
  const subprocess = execa(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    shell: spec.shell,
    stdin: spec.input === undefined ? 'ignore' : 'pipe',
    input: spec.input,
    stdout,
    stderr,
    stripFinalNewline: false,
    encoding: spec.encoding,
    maxBuffer: spec.maxBuffer,
    reject: false,
    detached: true,
  })
  // execa spawns synchronously: the child holds its own copies now.
  output?.close()
  const pid = subprocess.pid ?? null
  const group = groupStopper(pid, () => outcome.settled)
  subprocess.on('exit', group.reap)
  void subprocess.then((result) => {
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      // It never ran: not found, not executable, bad cwd.
      outcome.settle(notStarted(spec, result.cause as NodeJS.ErrnoException))
      return
    }
    const done: Outcome = { exitCode: result.exitCode ?? null, signal: (result.signal ?? null), error: null }
    if (spec.capture) {
      done.stdout = String(result.stdout)
      done.stderr = String(result.stderr)
    }
    if (result.isMaxBuffer) done.error = maxBufferError(spec)
    outcome.settle(done)
  })
  return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
}
