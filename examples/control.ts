// The control plane in one run: named jobs, ps, the status endpoint, a cancel over HTTP, stats.
// `npm run build && node dist/examples/control.js`
import { ForkManager } from '../lib/index.js'

const pm = new ForkManager({ maxProcs: 2 }) // NODE_DEBUG=forkpool shows its log lines
const srv = await pm.serveStatus({ token: 'example-token' })
console.log(`status page: ${srv.url}#token=example-token`)

const results = pm.results()
await pm.start('sync-1', { command: 'sleep', args: ['30'] }, { name: 'nightly-sync', label: 'mirror' })
await pm.start('report', { command: 'sleep', args: ['0.5'] })
void pm.start('waiting', { command: 'true' }, { label: 'queued behind the two' })
await new Promise((resolve) => setTimeout(resolve, 100))
process.stdout.write(pm.ps())

// What an operator's curl does: POST /jobs/nightly-sync/cancel with the token.
const response = await fetch(new URL('jobs/nightly-sync/cancel', srv.url), {
  method: 'POST', headers: { authorization: 'Bearer example-token' },
})
console.log(`cancel over HTTP: ${response.status}`)

const closing = pm.close()
for await (const r of results) {
  console.log(`result: ${r.ident} exit=${r.exitCode} cancelled=${r.cancelled}${r.cancelled ? ` (${String(r.cancelReason)})` : ''}`)
}
await closing
console.log(pm.stats())
