// Test helpers: a redis-server of the test's own on a free port (no persistence), and
// `forkpool worker` agents as separate processes; all stopped by pid at the test's end.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

const CLI = new URL('../../dist/lib/cli/main.js', import.meta.url).pathname
export const ROOT = new URL('../../dist/', import.meta.url).pathname

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function stopAtEnd(t: Test, child: ChildProcess): void {
  t.teardown(() => new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done()
    child.once('exit', () => done())
    child.kill('SIGKILL')
  }))
}

/** Starts redis-server; resolves with its URL once it accepts connections. */
export async function startRedis(t: Test, extra: string[] = []): Promise<{ url: string; port: number; process: ChildProcess }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'forkpool-redis-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] })
  stopAtEnd(t, child)
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('Ready to accept')) resolve() })
  })
  return { url: `redis://127.0.0.1:${port}/0`, port, process: child }
}

/** Starts a `forkpool worker` agent; resolves once it is taking jobs. */
export async function startAgent(t: Test, url: string, queue: string, name: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--queue', queue, '-j', '4', '--name', name, '--root', ROOT,
    '--lock-duration', '2000', '--stalled-interval', '1000', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] })
  stopAtEnd(t, child)
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`agent ${name} exited ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve() })
  })
  return child
}
