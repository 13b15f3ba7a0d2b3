// Test helpers: a redis-server of the test's own on a unix socket in a temporary folder (no
// persistence unless asked), and `forkpool worker` agents as separate processes; all stopped by
// pid at the test's end, and the test fails if one is left.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { Redis } from 'ioredis'

const CLI = new URL('../../dist/lib/cli/main.js', import.meta.url).pathname
export const ROOT = new URL('../../dist/', import.meta.url).pathname

/** True while a process of that pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * At the test's end: SIGTERM (an agent closes and writes its coverage), SIGKILL after 3 s. `current`
 * may give the child only then: a Redis the test restarted is another process.
 */
function stopAtEnd(t: Test, current: ChildProcess | (() => ChildProcess | undefined)): void {
  t.teardown(() => new Promise<void>((resolve) => {
    const child = typeof current === 'function' ? current() : current
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolve()
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  }))
}

export interface TestRedis {
  url: string
  socket: string
  process: ChildProcess
  /** A plain client for the test's own looks and pokes; closed at the end. */
  client: Redis
  /** SIGTERM (a clean stop) or SIGKILL; resolves once it has exited. */
  stop(signal: NodeJS.Signals): Promise<void>
  /** Starts it again on the same socket and folder. */
  restart(): Promise<void>
}

/** Starts redis-server on a unix socket in the test's folder; `persist` keeps its data across a restart (AOF, fsync always). */
export async function startRedis(t: Test, { persist = false, extra = [] as string[] } = {}): Promise<TestRedis> {
  // Not t.testdir(): a unix socket's path must stay under 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'fp-redis-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const socket = join(dir, 'r.sock')
  const args = ['--port', '0', '--unixsocket', socket, '--save', '', '--dir', dir, '--maxmemory-policy', 'noeviction',
    ...(persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...extra]
  const launch = async (): Promise<ChildProcess> => {
    const child = (running = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] }))
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)))
      child.stdout.on('data', (chunk: Buffer) => { if (/ready to accept/i.test(chunk.toString())) resolve() })
    })
    return child
  }
  // Registered once, at the start: a restart's own teardown would run first (tap runs them last in,
  // first out), and stop Redis before the test's managers and agents, which then wait for it.
  let running: ChildProcess | undefined
  stopAtEnd(t, () => running)
  const redis = {
    url: `redis+unix://${socket}`,
    socket,
    process: await launch(),
    client: undefined as unknown as Redis,
    async stop(signal: NodeJS.Signals) {
      const child = redis.process
      if (child.exitCode !== null || child.signalCode !== null) return
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill(signal)
      })
    },
    async restart() {
      redis.process = await launch()
    },
  }
  const password = extra.includes('--requirepass') ? extra[extra.indexOf('--requirepass') + 1] : undefined
  redis.client = new Redis({ path: socket, ...(password === undefined ? {} : { password }), maxRetriesPerRequest: null })
  redis.client.on('error', () => {})
  t.teardown(() => redis.client.disconnect())
  return redis
}

/**
 * Starts a `forkpool worker` agent; resolves once it is taking jobs. Short lock settings: a lost agent's job moves within about 5 s
 * (shorter ones let a loaded 2-core machine's agents lose their locks while alive).
 */
export async function startAgent(t: Test, url: string, queue: string, name: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--queue', queue, '-j', '4', '--name', name, '--root', ROOT,
    '--lock-duration', '4000', '--stalled-interval', '1000', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] })
  stopAtEnd(t, child)
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`agent ${name} exited ${code}`)))
    child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve() })
  })
  return child
}
