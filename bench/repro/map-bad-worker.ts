// map() over 100,000 items with a worker file that cannot load (one that does not exist, one with a
// syntax error), under the default isolation and threads: how long until map() gives up, and how
// many jobs it started. Issue #31's bug 2 (before the fix: one job per item, for ever).
//   npm run build && node dist/bench/repro/map-bad-worker.js [items]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ForkManager, type Isolation } from '../../lib/index.js'

const items = Number(process.argv[2] ?? 100_000)
const dir = mkdtempSync(path.join(tmpdir(), 'map-bad-worker-'))
const workers = {
  missing: path.join(dir, 'nope.js'),
  'syntax error': path.join(dir, 'syntax.mjs'),
}
writeFileSync(workers['syntax error'], 'export default (n) => {\n  return n +\n')

console.log(`map() over ${items.toLocaleString('en')} items, maxProcs 2 (node ${process.version})`)
console.log('| worker | isolation | wall time | jobs started | items with a result | ended with |')
console.log('| --- | --- | ---: | ---: | ---: | --- |')
try {
  for (const [kind, worker] of Object.entries(workers)) {
    for (const isolation of ['process', 'thread'] as Isolation[]) {
      const pm = new ForkManager({ maxProcs: 2 })
      let jobs = 0
      pm.runOnStart(() => jobs++)
      let results = 0
      let ending = 'all results'
      const started = performance.now()
      try {
        for await (const _ of pm.map(Array.from({ length: items }, (_, i) => i), { worker, isolation })) results++
      } catch (error) {
        ending = `${(error as Error).name} (${(error as { code?: string }).code})`
      }
      const ms = performance.now() - started
      await pm.close()
      console.log(`| ${kind} | ${isolation} | ${ms.toFixed(0)} ms | ${jobs} | ${results} | ${ending} |`)
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
