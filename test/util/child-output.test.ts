// childOutput (lib/util/child-output.cts): a child's stdout and stderr as a description of this
// process's pipe of its own, so that the flags one process sets on its stream are not another's.
import t from 'tap'
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import { ownDescription } from '../../dist/lib/util/child-output.cjs'

const MODULE = new URL('../../dist/lib/util/child-output.cjs', import.meta.url).pathname

/**
 * Runs `script` (CommonJS, with `childOutput` in scope) in a Node whose stdout and stderr are the pipe of a shell pipeline; resolves with
 * what came through it.
 */
function inPipeline(script: string): Promise<string> {
  const node = `'${process.execPath}' -e "const { childOutput, ownDescription } = require('${MODULE}'); ${script}" 2>&1`
  const child = spawn('sh', ['-c', `${node} | cat`], { stdio: ['ignore', 'pipe', 'inherit'] })
  let got = ''
  child.stdout.on('data', (chunk: Buffer) => (got += chunk.toString()))
  return new Promise((resolve) => child.on('close', () => resolve(got)))
}

t.test('an anonymous pipe is opened again: new descriptors that write into the same pipe, closed by close()', async (t) => {
  const script =
    "const o = childOutput(); require('fs').writeSync(o.stdout, 'out;'); require('fs').writeSync(o.stderr, 'err;'); " +
      "o.close(); let closed = false; try { require('fs').writeSync(o.stdout, 'x') } catch (e) { closed = e.code === 'EBADF' } " +
        'console.log(typeof o.stdout, o.stdout !== 1, typeof o.stderr, closed)'
  t.equal(await inPipeline(script), 'out;err;number true number true\n')
})

t.test('a socket (the pair Node makes for a child\'s stdio), a file and a descriptor that is not open ' +
  'are inherited as they are', async (t) => {
  const script = `const o = require('${MODULE}').childOutput(); o.close(); process.stdout.write(JSON.stringify([o.stdout, o.stderr]))`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let got = ''
  child.stdout.on('data', (chunk: Buffer) => (got += chunk.toString()))
  await new Promise((resolve) => child.on('close', resolve))
  t.equal(got, '["inherit","inherit"]', 'a socket cannot be opened again')
  const file = path.join(t.testdir({}), 'out')
  const fd = openSync(file, 'w')
  t.equal(ownDescription(fd), 'inherit', 'a file: a new description would have an offset of its own')
  writeSync(fd, 'still open')
  closeSync(fd)
  t.equal(readFileSync(file, 'utf8'), 'still open')
  // Not the file's fd: a closed number may be open again by now.
  t.equal(ownDescription(1_000_000), 'inherit', 'a descriptor that is not open')
  // And in a child, as the other cases run (the coverage of this file's in-process call was not counted).
  t.equal(await inPipeline('console.log(ownDescription(1000000))'), 'inherit\n', 'a descriptor that is not open, in a child')
})
