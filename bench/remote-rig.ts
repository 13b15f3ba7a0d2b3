// What the remote suites share: a redis-server of their own on a free port (no persistence) and
// `forkpool worker` agents (or raw BullMQ workers) as separate processes, all stopped by pid.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CLI = new URL('../lib/cli/main.js', import.meta.url).pathname
/** The agents run worker files from under the built tree, where the bench's workers are. */
const ROOT = new URL('../', import.meta.url).pathname
export const workerFile = (name: string): string => new URL(`../workers/${name}`, import.meta.url).pathname

/** The lock settings of the tests: a lost agent's job runs elsewhere within about 3 s. */
export const TEST_LOCKS = ['--lock-duration', '2000', '--stalled-interval', '1000']

export interface Rig {
  url: string
  /** Starts a process that prints `ready` once it takes jobs; resolves with it then. */
  start(args: string[]): Promise<ChildProcess>
  /** `forkpool worker` on the rig's Redis. */
  agent(queue: string, name: string, jobs: number, extra?: string[]): Promise<ChildProcess>
  /** Stops every process it started, Redis last. */
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function untilReady(child: ChildProcess, text: string, what: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited ${code} before it was ready`)))
    child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes(text)) resolve(child) })
  })
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

export async function startRig(): Promise<Rig> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'forkpool-bench-redis-'))
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  await untilReady(redis, 'Ready to accept', 'redis-server')
  const url = `redis://127.0.0.1:${port}/0`
  const children: ChildProcess[] = []
  // A contender that dies (a throw, the harness giving up) leaves no agent or Redis behind.
  const killAll = (): void => {
    for (const child of [...children, redis]) child.kill('SIGKILL')
  }
  process.once('exit', killAll)
  const start = (args: string[]): Promise<ChildProcess> => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    return untilReady(child, 'ready', args.join(' '))
  }
  return {
    url,
    start,
    agent: (queue, name, jobs,
      extra = []) => start([CLI, 'worker', '--redis', url, '--queue', queue, '-j', String(jobs), '--name', name, '--root', ROOT, ...extra]),
    async stop() {
      process.off('exit', killAll)
      await Promise.all(children.map(stopped))
      await stopped(redis)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
