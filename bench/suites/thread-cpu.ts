// thread-cpu: 2,000 CPU tasks of about 1 ms each (chained SHA-256) on 2 threads, against the same
// loop in one thread: the speedup, and the efficiency (speedup ÷ 2 threads).
import { ForkManager } from '../../lib/index.js'
import hash from '../../workers/hash.js'
import { openPool, PEERS, type PeerName } from '../peers/pools.js'
import type { Suite } from '../suite.js'
import { need, needAll, timeMs, workerFile } from '../support.js'

const THREADS = 2
const HASH = workerFile('hash')
const tasks = (quick: boolean): number => (quick ? 100 : 2_000)
const HEX = /^[0-9a-f]{64}$/

/** Checks every digest's shape, and a spread of them against this thread's own computation. */
function verify(contender: string, digests: unknown[], n: number): void {
  needAll(contender, digests.filter((d) => typeof d === 'string' && HEX.test(d)).length, n)
  for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 20))) {
    need(digests[i] === hash(i), `${contender} returned a wrong digest for seed ${i}`)
  }
}

async function forkpool(n: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: THREADS })
  const digests: unknown[] = new Array(n)
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) {
      const handle = await pm.start(String(i), { worker: HASH, data: i, isolation: 'thread' })
      void handle.result.then((r) => (digests[i] = r.data))
    }
    await pm.waitAllChildren()
  })
  await pm.close()
  verify('forkpool', digests, n)
  return ms
}

async function peer(name: PeerName, n: number): Promise<number> {
  const digests: unknown[] = new Array(n)
  let pool: Awaited<ReturnType<typeof openPool>> | undefined
  const ms = await timeMs(async () => {
    pool = await openPool(name, THREADS, 'hash')
    await Promise.all(Array.from({ length: n }, async (_, i) => (digests[i] = await pool!.run(i))))
  })
  await pool!.close()
  verify(name, digests, n)
  return ms
}

/** The same loop in this thread: the single-threaded baseline. */
async function sequential(n: number): Promise<number> {
  const digests: unknown[] = new Array(n)
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) digests[i] = hash(i)
  })
  verify('sequential', digests, n)
  return ms
}

const speedup = (m: Record<string, number>, who = 'forkpool'): number => m['sequential']! / m[who]!
/** The peer pool with the best speedup in this run. */
const bestPeer = (m: Record<string, number>): PeerName => PEERS.reduce((best, peer) => (m[peer]! < m[best]! ? peer : best))

const suite: Suite = {
  name: 'thread-cpu',
  title: '2,000 tasks of ~1 ms CPU each on 2 threads (quick: 100), pool start-up included; sequential: one thread',
  unit: 'ms',
  better: 'lower',
  contenders: ['forkpool', ...PEERS, 'sequential'],
  run(contender, quick) {
    const n = tasks(quick)
    if (contender === 'forkpool') return forkpool(n)
    if (contender === 'sequential') return sequential(n)
    return peer(contender as PeerName, n)
  },
  targets: [{
    describe: 'forkpool speedup over sequential ≥ 1.65 (efficiency ≥ 0.83 on 2 threads)',
    check: (m) => speedup(m) >= 1.65,
    actual: (m) => `speedup ${speedup(m).toFixed(2)}, efficiency ${(speedup(m) / THREADS).toFixed(2)}`,
  }, {
    // Issue 14's target: a user who picks threads for CPU work loses no more than 5% against any peer.
    describe: 'forkpool speedup over sequential within 5% of the best peer pool\'s',
    check: (m) => speedup(m) >= 0.95 * speedup(m, bestPeer(m)),
    actual: (m) => `${speedup(m).toFixed(2)} against ${bestPeer(m)}'s ${speedup(m, bestPeer(m)).toFixed(2)}`,
    uses: [...PEERS, 'sequential'],
  }],
}

export default suite
