// blockingOutput (lib/util/blocking-output.ts): a Node child's stdout on a pipe writes
// synchronously, so that what it wrote reaches the pipe even when it exits at once.
import t from 'tap'
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { sleep } from '../helpers/wait.js'

const MODULE = new URL('../../dist/lib/util/blocking-output.js', import.meta.url).href
const BYTES = 500_000
const READ_AFTER_MS = 1_000

/** A child that writes BYTES bytes to stdout and exits at once; `blocking`: after blockingOutput(). */
function writeAndExit(blocking: boolean): string {
  const setup = blocking ? `(await import(${JSON.stringify(MODULE)})).blockingOutput();` : ''
  return `${setup} process.stdout.write(Buffer.alloc(${BYTES}, 'w')); process.stderr.write('e'); process.exit(0)`
}

/**
 * Runs the script with its stdout a pipe read late: once the child has exited (its bytes that
 * waited in it are gone), or after READ_AFTER_MS (it blocks in its write until then). A slow
 * machine can make the first case pass, never the second fail.
 */
async function bytesReadLate(script: string): Promise<number> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pause()
  // Time is the point here: a child blocked in its write never exits, and is read after READ_AFTER_MS.
  await Promise.race([new Promise((resolve) => child.on('exit', resolve)), sleep(READ_AFTER_MS)])
  let bytes = 0
  child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length))
  child.stdout.resume()
  await new Promise((resolve) => child.on('close', resolve))
  return bytes
}

t.test('without it a pipe keeps only what fit in it; with it every byte arrives', async (t) => {
  t.ok((await bytesReadLate(writeAndExit(false))) < BYTES, "Node's own behaviour, which the fix is for")
  t.equal(await bytesReadLate(writeAndExit(true)), BYTES)
})

t.test('a file (already written synchronously) is left as it is', async (t) => {
  const file = path.join(t.testdir({}), 'out')
  const fd = openSync(file, 'w')
  const child = spawn(process.execPath, ['--input-type=module', '-e', writeAndExit(true)], { stdio: ['ignore', fd, fd] })
  await new Promise((resolve) => child.on('close', resolve))
  closeSync(fd)
  t.equal(readFileSync(file).length, BYTES + 1)
})
