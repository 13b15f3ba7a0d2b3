// Commands: a program and its arguments, never a shell unless `shell: true`.

import { spawn } from 'node:child_process'
import { MaxBufferError, jobError, serializeError } from '../errors.js'
import type { CommandSpec } from './spec.js'
import type { SerializedError } from '../types.js'
import type { Execution, Outcome } from './execution.js'
import { killTree } from './kill-tree.js'
import { settleOnce } from '../util/once.js'

/**
 * Starts a command in its own process group. Jobs without input or shell go straight to
 * child_process.spawn: execa's per-call setup costs about 1.5x a bare spawn for /bin/true
 * even with its stdio ignored, and several milliseconds per job with capture (7 s against
 * 1.2 s for 1000 captured /bin/true jobs at cap 2), which the forkpool command pays on every
 * job. Input and shell go through execa (stdin feeding, shell quoting), loaded only when first needed.
 */
export async function startCommand(spec: CommandSpec): Promise<Execution> {
  if (spec.input !== undefined || spec.shell) return startWithExeca(spec)
  return spec.capture ? startCaptured(spec) : startBare(spec)
}

function env(spec: CommandSpec): NodeJS.ProcessEnv | undefined {
  return spec.env && { ...process.env, ...spec.env }
}

function notFound(spec: CommandSpec, error: NodeJS.ErrnoException): Outcome {
  const message = error.code === 'ENOENT' ? `command not found: ${spec.command} (${error.message})` : `cannot run ${spec.command}: ${error.message}`
  return { exitCode: null, signal: null, error: serializeError(Object.assign(new Error(message), { code: error.code })) }
}

/** Tracks the stop of a process group: once the leader is gone, stragglers of a stopped job get SIGKILL. */
function stopper(pid: number | null, isSettled: () => boolean) {
  let stopping = false
  return {
    stop(signal: NodeJS.Signals): void {
      if (pid === null || isSettled()) return
      stopping = true
      killTree(pid, signal)
    },
    reap(): void {
      if (stopping && pid !== null) killTree(pid, 'SIGKILL')
    },
  }
}

function startBare(spec: CommandSpec): Execution {
  const outcome = settleOnce<Outcome>()
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: env(spec),
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  })
  const pid = child.pid ?? null
  const group = stopper(pid, () => outcome.settled)
  child.on('error', (error) => outcome.settle(notFound(spec, error)))
  child.on('exit', (exitCode, signal) => {
    group.reap()
    outcome.settle({ exitCode, signal, error: null })
  })
  return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
}

/** Collects one captured stream up to `limit` bytes; `onOverflow` fires once when more arrives. */
class StreamBuffer {
  readonly #chunks: Buffer[] = []
  #bytes = 0
  overflowed = false

  constructor(readonly limit: number, readonly onOverflow: () => void) {}

  add(chunk: Buffer): void {
    if (this.overflowed) return
    const room = this.limit - this.#bytes
    if (chunk.length > room) {
      this.#chunks.push(chunk.subarray(0, room))
      this.#bytes = this.limit
      this.overflowed = true
      this.onOverflow()
      return
    }
    this.#chunks.push(chunk)
    this.#bytes += chunk.length
  }

  text(encoding: BufferEncoding): string {
    return Buffer.concat(this.#chunks, this.#bytes).toString(encoding)
  }
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
    outcome.settle(notFound(spec, error as NodeJS.ErrnoException))
    return { kind: 'command', pid: null, outcome: outcome.promise, stop: () => {} }
  }
  const pid = child.pid ?? null
  const group = stopper(pid, () => outcome.settled)
  const overflow = (): void => group.stop('SIGTERM')
  const stdout = new StreamBuffer(spec.maxBuffer, overflow)
  const stderr = new StreamBuffer(spec.maxBuffer, overflow)
  child.stdout!.on('data', (chunk: Buffer) => stdout.add(chunk))
  child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk))
  child.on('error', (error) => outcome.settle(notFound(spec, error)))
  child.on('exit', group.reap)
  // 'close' comes once both pipes have ended, so the output is whole.
  child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
    const done: Outcome = { exitCode, signal, error: null, stdout: stdout.text(spec.encoding ?? 'utf8'), stderr: stderr.text(spec.encoding ?? 'utf8') }
    if (stdout.overflowed || stderr.overflowed) done.error = maxBufferError(spec)
    outcome.settle(done)
  })
  return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
}

function maxBufferError(spec: CommandSpec): SerializedError {
  return jobError(MaxBufferError, `${spec.command} wrote more than maxBuffer (${spec.maxBuffer} bytes) to one stream; it was stopped and its output cut there`)
}

async function startWithExeca(spec: CommandSpec): Promise<Execution> {
  const { execa } = await import('execa')
  const outcome = settleOnce<Outcome>()
  const subprocess = execa(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    shell: spec.shell,
    stdin: spec.input === undefined ? 'ignore' : 'pipe',
    input: spec.input,
    stdout: spec.capture ? 'pipe' : 'inherit',
    stderr: spec.capture ? 'pipe' : 'inherit',
    stripFinalNewline: false,
    encoding: spec.encoding,
    maxBuffer: spec.maxBuffer,
    reject: false,
    detached: true,
  })
  const pid = subprocess.pid ?? null
  const group = stopper(pid, () => outcome.settled)
  subprocess.on('exit', group.reap)
  void subprocess.then((result) => {
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      // It never ran: not found, not executable, bad cwd.
      outcome.settle(notFound(spec, result.cause as NodeJS.ErrnoException))
      return
    }
    const done: Outcome = { exitCode: result.exitCode ?? null, signal: (result.signal ?? null) as NodeJS.Signals | null, error: null }
    if (spec.capture) {
      done.stdout = String(result.stdout)
      done.stderr = String(result.stderr)
    }
    if (result.isMaxBuffer) done.error = maxBufferError(spec)
    outcome.settle(done)
  })
  return { kind: 'command', pid, outcome: outcome.promise, stop: group.stop }
}
