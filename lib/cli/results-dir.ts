// --results DIR: each job's stdout, stderr, exit status and command in DIR/SEQ/.

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export interface JobFiles {
  stdout: string
  stderr: string
  /** As sh's $?: the exit code, or 128 + the signal's number. */
  exitcode: number
  cmd: string
}

export function writeResults(dir: string, seq: number, files: JobFiles): void {
  const jobDir = path.join(dir, String(seq))
  mkdirSync(jobDir, { recursive: true })
  writeFileSync(path.join(jobDir, 'stdout'), files.stdout)
  writeFileSync(path.join(jobDir, 'stderr'), files.stderr)
  writeFileSync(path.join(jobDir, 'exitcode'), `${files.exitcode}\n`)
  writeFileSync(path.join(jobDir, 'cmd'), `${files.cmd}\n`)
}
