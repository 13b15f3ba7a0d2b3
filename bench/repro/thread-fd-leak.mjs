// Does Node itself leave module-file fds open when a worker thread is terminated while it imports
// modules? No pool library: plain worker_threads. Each thread imports forkpool's dist (many files)
// and is terminated at a random moment in its first 60 ms.
//   node bench/repro/thread-fd-leak.mjs     (after npm run build)
import { Worker } from 'node:worker_threads'
import { readdirSync, readlinkSync } from 'node:fs'
import { once } from 'node:events'

const library = new URL('../../dist/lib/index.js', import.meta.url).href
const code = `import(${JSON.stringify(library)}).then(() => setInterval(() => {}, 1000))`

const moduleFds = () => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).endsWith('.js')
  } catch {
    return false
  }
}).length

const before = moduleFds()
await Promise.all([0, 1].map(async () => {
  for (let i = 0; i < 100; i++) {
    const thread = new Worker(code, { eval: true })
    const exited = once(thread, 'exit')
    setTimeout(() => void thread.terminate(), Math.random() * 60)
    await exited
  }
}))
console.log(`module-file fds open: ${before} before, ${moduleFds()} after 200 threads terminated at random while importing (Node ` +
  `${process.version})`)
