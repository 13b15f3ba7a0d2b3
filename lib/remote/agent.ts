// The agent (`forkpool worker`): takes jobs from the queue and runs them with forkpool's own
// runners on this machine, so timeouts, kill escalation and cancel work as they do locally.

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker, type Job } from 'bullmq'
import { serializeError } from '../errors.js'
import { startCommand } from '../runners/command.js'
import type { Execution, Outcome } from '../runners/execution.js'
import { startProcessWorker } from '../runners/process/runner.js'
import type { NormalizedJob } from '../runners/spec.js'
import { checkRedisUrl, connect } from './connection.js'
import { checkQueueName, decode, encode, stopChannel, type WireJob } from './wire.js'

export interface AgentOptions {
  url: string
  queue: string
  /** Jobs at once on this agent. */
  concurrency: number
  /** The host name reported with its results. Default: os.hostname(). */
  name?: string
  /** Worker files run only from under this folder. */
  root: string
  /** Command jobs run only when true. */
  allowCommands?: boolean
  /** BullMQ's lock: how soon a dead agent's jobs are taken by another. */
  lockDuration?: number
  stalledInterval?: number
}

export interface Agent {
  readonly name: string
  close(): Promise<void>
}

export async function startAgent(options: AgentOptions): Promise<Agent> {
  checkRedisUrl(options.url)
  const queue = checkQueueName(options.queue)
  const name = options.name ?? hostname()
  const root = resolve(options.root)
  const running = new Map<string, Execution>()
  const subscriber = connect(options.url)
  await subscriber.subscribe(stopChannel(queue))
  subscriber.on('message', (_channel: string, message: string) => {
    const { jobId, signal } = JSON.parse(message) as { jobId: string; signal: NodeJS.Signals }
    running.get(jobId)?.stop(signal)
  })

  const refuse = (message: string): string => encode({ exitCode: null, signal: null, error: serializeError(new Error(message)), host: name, pid: null } satisfies Outcome)

  const connection = connect(options.url)
  const worker = new Worker(queue, async (job: Job<WireJob>) => {
    const spec = decode(job.data.spec) as NormalizedJob
    if (spec.type === 'command' && options.allowCommands !== true) return refuse(`agent ${name} does not run commands (start it with --allow-commands)`)
    if (spec.type === 'worker') {
      const path = fileURLToPath(spec.url)
      if (!resolve(path).startsWith(root + sep)) return refuse(`agent ${name}: worker ${path} is outside --root ${root}`)
      const hash = createHash('sha256').update(await readFile(path)).digest('hex')
      if (job.data.workerHash !== undefined && hash !== job.data.workerHash) return refuse(`agent ${name}: worker ${path} differs from the producer's`)
      // Threads and pools are the producer's choice locally; here each job gets its own process.
      spec.isolation = 'process'
    }
    // A run after a lost agent is a further attempt of the same try.
    const attempt = job.data.attempt + job.attemptsStarted - 1
    const execution = spec.type === 'command' ? await startCommand(spec) : startProcessWorker(spec, job.data.ident, attempt, job.id!)
    running.set(job.id!, execution)
    try {
      const outcome = await execution.outcome
      return encode({ ...outcome, host: name, pid: execution.pid, runs: job.attemptsStarted } satisfies Outcome)
    } finally {
      running.delete(job.id!)
    }
  }, {
    connection,
    concurrency: options.concurrency,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
  })
  await worker.waitUntilReady()

  return {
    name,
    async close() {
      for (const execution of running.values()) execution.stop('SIGTERM')
      await worker.close()
      subscriber.disconnect()
      connection.disconnect()
    },
  }
}
