// The sha256 of a worker file, which the producer sends with each job and the agent checks before
// it runs it (a file changed since it was sent is refused). Kept per path while the file's size,
// mtime and inode stay the same: reading and hashing the file for every job cost the producer a
// third of its CPU time in remote-noop, where a stat costs a few microseconds.

import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'

const known = new Map<string, { stamp: string; hash: string }>()

/** The file's sha256 in hex; undefined for a file that cannot be read (the job then fails as it would locally). */
export function fileHash(path: string): string | undefined {
  try {
    const { size, mtimeMs, ino } = statSync(path)
    const stamp = `${size}:${mtimeMs}:${ino}`
    const cached = known.get(path)
    if (cached?.stamp === stamp) return cached.hash
    const hash = createHash('sha256').update(readFileSync(path)).digest('hex')
    known.set(path, { stamp, hash })
    return hash
  } catch {
    return undefined
  }
}
