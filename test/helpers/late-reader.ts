// Runs test/fixtures/piped-output-parent.mjs with its stdout (or stderr) read late: nothing is
// read until the manager has written its results, or READ_AFTER_MS has passed. A job whose bytes
// wait in its own process ends before then (and loses them when it exits); a job whose writes
// block waits for the reader. A slow machine can only make a test pass where it should fail,
// never the reverse.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const PARENT = new URL('../fixtures/piped-output-parent.mjs', import.meta.url).pathname
const READ_AFTER_MS = 1_000
/**
 * Without tap's NODE_OPTIONS: its --import hook (coverage of child processes) sets up the
 * manager's stdout before the program runs, which changes the order of the events this test is
 * about (a stream set up before a spawner starts is made blocking again by that start).
 */
const { NODE_OPTIONS: _tapHook, ...ENV } = process.env

export interface Ended {
  exitCode: number | null
  signal: string | null
  error: string | null
  data?: unknown
}

export interface LateRead {
  /** Bytes that reached the reader. */
  bytes: number
  results: { worker: Ended; command: Ended } | undefined
  /** What the manager wrote to its other stream (a failing command's message). */
  other: string
}

export type Starts = 'forker' | 'node-spawner' | 'direct'

/**
 * `via`: 'pipe', an anonymous pipe as a shell pipeline makes (`node batch.js | gzip`), read by the
 * shell's reader; 'socket', the socket pair Node's child_process makes for 'pipe', read by this process.
 */
export async function runLateReader(via: 'pipe' | 'socket', isolation: string, fd: 1 | 2, starts: Starts): Promise<LateRead> {
  const dir = mkdtempSync(path.join(tmpdir(), 'forkpool-piped-'))
  const results = path.join(dir, 'results.json')
  const args = [PARENT, isolation, String(fd), starts, path.join(dir, 'marker'), results]
  try {
    const run = via === 'pipe' ? await throughPipe(args, fd, results) : await throughSocket(args, fd, results)
    return { ...run, results: existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) as unknown : undefined }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function throughPipe(args: string[], fd: 1 | 2, results: string): Promise<Omit<LateRead, 'results'>> {
  // The shell's reader: wait for the results (or READ_AFTER_MS), then count the bytes.
  const tries = READ_AFTER_MS / 10
  const reader = `{ n=0; while [ ! -e '${results}' ] && [ $n -lt ${tries} ]; do sleep 0.01; n=$((n+1)); done; exec wc -c; }`
  const manager = `'${process.execPath}' ${args.map((arg) => `'${arg}'`).join(' ')}`
  const script = fd === 1 ? `${manager} | ${reader}` : `${manager} 2>&1 >/dev/null | ${reader}`
  const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV })
  let counted = ''
  let other = ''
  child.stdout.on('data', (chunk: Buffer) => (counted += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (other += chunk.toString()))
  return new Promise((resolve) => child.on('close', () => resolve({ bytes: Number(counted.trim()), other })))
}

function throughSocket(args: string[], fd: 1 | 2, results: string): Promise<Omit<LateRead, 'results'>> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ENV })
  const late = fd === 1 ? child.stdout : child.stderr
  const run = { bytes: 0, other: '' }
  ;(fd === 1 ? child.stderr : child.stdout).on('data', (chunk: Buffer) => (run.other += chunk.toString()))
  late.pause()
  const started = Date.now()
  const poll = setInterval(() => {
    if (!existsSync(results) && Date.now() - started < READ_AFTER_MS) return
    clearInterval(poll)
    late.on('data', (chunk: Buffer) => (run.bytes += chunk.length))
    late.resume()
  }, 10)
  return new Promise((resolve) =>
    child.on('close', () => {
      clearInterval(poll)
      resolve(run)
    })
  )
}
