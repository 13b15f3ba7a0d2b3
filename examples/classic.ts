// Parallel::ForkManager's classic callback example, in forkpool (the README has a shorter version).
// `npm run build && node dist/examples/classic.js`
import { ForkManager } from '../lib/index.js'

const pm = new ForkManager({ maxProcs: 2 })
pm.runOnStart(({ pid, ident }) => console.log(`** ${ident} started, pid: ${pid}`))
pm.runOnFinish(({ pid, exitCode, ident, data }) =>
  console.log(`** ${ident} just got out of the pool with PID ${pid} and exit code: ${exitCode}`, data))
pm.runOnWait(() => console.log('** Have to wait for one children ...'), 250)

const worker = new URL('../workers/name-length.js', import.meta.url)
for (const name of ['Fred', 'Wilma', 'Barney', 'Betty']) {
  await pm.start(name, { worker, data: name })
}
await pm.waitAllChildren()
console.log('Everybody is out of the pool!')
