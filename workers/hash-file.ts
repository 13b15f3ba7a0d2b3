// Hashes one file: `npm start` runs it through the forkpool command for every file under lib/.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'

export default async function hashFile(file: string): Promise<{ file: string; bytes: number; sha256: string }> {
  const content = await readFile(file)
  return { file, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') }
}
