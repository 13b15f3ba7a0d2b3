// Reproduces, without forkpool, the fd leak the soak reports apart: piscina tasks aborted (their
// threads terminated) while the worker is importing modules leave fds of those module files open.
//   node bench/repro/piscina-fd-leak.mjs     (after npm run build)
import { Piscina } from 'piscina'
import { mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const library = new URL('../../dist/lib/index.js', import.meta.url).href
const dir = mkdtempSync(path.join(tmpdir(), 'fd-leak-'))
const workerFile = path.join(dir, 'worker.mjs')
writeFileSync(workerFile,
  `export default async (n) => { await import(${JSON.stringify(library)}); if (n % 2) return new Promise(() => {}); return n }`)

const moduleFds = () => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).endsWith('.js')
  } catch {
    return false
  }
}).length

const pool = new Piscina({ filename: workerFile, maxThreads: 2, minThreads: 0 })
const before = moduleFds()
await Promise.all([0, 1].map(async () => {
  for (let i = 0; i < 100; i++) {
    const abort = new AbortController()
    const task = pool.run(i, { signal: abort.signal }).catch(() => {})
    setTimeout(() => abort.abort(), Math.random() * 60)
    await task
  }
}))
await pool.close()
console.log(`module-file fds open: ${before} before, ${moduleFds()} after 200 tasks aborted at random (Node ${process.version})`)
