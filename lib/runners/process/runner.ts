// isolation 'process': a fresh Node child per job, Parallel::ForkManager's model. Started by the
// native forker where there is one (spawned.ts: the cost of a start does not grow with this
// process), otherwise forked from this process, below. Both give the same JobResult.

import { fork, type ChildProcess } from 'node:child_process'
import { serializeError } from '../../util/serialize-error.js'
import type { WorkerSpec } from '../spec.js'
import type { CallReply } from '../../worker-file/call.js'
import type { Execution, Outcome } from '../execution.js'
import { killTree } from '../kill-tree.js'
import type { SpawnerSet } from '../spawner/spawners.js'
import { settleOnce } from '../../util/once.js'
// A default import: a TypeScript loader (tap's, tsx) can hide a .cts file's named exports from an ES module.
import childOutputModule from '../../util/child-output.cjs'
import { processChannelServer } from './channel-server.js'
import { startFreshProcessOnSpawner } from './spawned.js'

const { childOutput } = childOutputModule

const RUNTIME = new URL('./runtime.js', import.meta.url)

/**
 * `attempt` and `jobId` are the worker function's ctx.attempt and ctx.jobId. `spawners`: where it may
 * start (a native forker of the set), null to fork it from this process.
 */
export function startFreshProcess(
  spec: WorkerSpec, ident: string, attempt = 1, jobId: string | null = null, spawners: SpawnerSet | null = null
): Execution {
  const args = jobId === null ? [spec.url, ident, String(attempt)] : [spec.url, ident, String(attempt), jobId]
  const spawner = spawners?.pickNative()
  if (spawner !== undefined) return startFreshProcessOnSpawner(spec, args, spawner, processChannelServer())
  return forkFreshProcess(spec, args)
}

function forkFreshProcess(spec: WorkerSpec, args: string[]): Execution {
  const outcome = settleOnce<Outcome>()
  // Its own description of this process's stdout pipe, whose flags no other job shares (util/child-output.cts).
  const output = childOutput()
  let child: ChildProcess
  try {
    child = fork(RUNTIME, args, {
      execArgv: spec.execArgv,
      cwd: spec.cwd,
      env: spec.env && { ...process.env, ...spec.env },
      stdio: ['ignore', output.stdout, output.stderr, 'ipc'],
      serialization: 'advanced',
      // Its own process group, so a stop reaches whatever the worker function itself started.
      detached: true,
    })
  } finally {
    output.close()
  }
  const pid = child.pid ?? null
  let answer: CallReply | undefined
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let stopping = false

  // A reply may arrive after 'exit'; the channel's 'disconnect' is the last word.
  const settleIfDone = (): void => {
    if (exited === undefined || child.connected) return
    if (stopping && pid !== null) killTree(pid, 'SIGKILL')
    outcome.settle({
      exitCode: exited.code,
      signal: exited.signal,
      data: answer?.ok ? answer.data : undefined,
      error: answer && !answer.ok ? answer.error : null,
    })
  }
  child.on('message', (message: CallReply) => (answer = message))
  child.on('exit', (code, signal) => {
    exited = { code, signal }
    settleIfDone()
  })
  child.on('disconnect', settleIfDone)
  child.on('error', (error: NodeJS.ErrnoException) => {
    // Spawning failed (a bad cwd, no memory): there is no process to wait for.
    if (pid === null) {
      const failure = Object.assign(new Error(`cannot start a worker process for ${spec.url}: ${error.message}`), { code: error.code })
      outcome.settle({ exitCode: null, signal: null, error: serializeError(failure) })
    }
    // Otherwise a send to a child that just died: its 'exit' tells the story.
  })
  if (pid !== null) child.send({ data: spec.data })

  return {
    kind: 'process',
    pid,
    outcome: outcome.promise,
    stop(signal) {
      if (pid === null || outcome.settled) return
      stopping = true
      killTree(pid, signal)
    },
  }
}
