// remote-noop's floor: a bare BullMQ Worker that speaks forkpool's wire and does nothing else. It
// reads a job as a forkpool agent does (the spec decoded from its structured clone) and answers at
// once with the result an agent would send, the job's data echoed; it runs nothing, in no process,
// and checks no --root or file hash. Driven by forkpool's own producer (redisBackend()), it shows
// what the producer and the wire cost against raw BullMQ, apart from what the agent adds.
// argv: URL QUEUE CONCURRENCY NAME. Prints `ready`, stops on SIGTERM/KILL.
import { Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { decode, encode, type WireJob, type WireResult } from '../../lib/remote/wire.js'
import type { NormalizedJob } from '../../lib/runners/spec.js'

const [url, queue, concurrency, name] = process.argv.slice(2) as [string, string, string, string]
const connection = new Redis(url, { maxRetriesPerRequest: null })
const worker = new Worker<WireJob>(queue, async (job) => {
  const spec = decode(job.data.spec) as NormalizedJob
  const data = spec.type === 'worker' ? spec.data : undefined
  return encode({
    exitCode: 0, signal: null, error: null, data, host: name, pid: process.pid, runs: job.attemptsStarted, startedAt: Date.now(),
  } satisfies WireResult)
}, { connection, concurrency: Number(concurrency) })
await worker.waitUntilReady()
process.stdout.write('ready\n')
process.once('SIGTERM', () => void worker.close().then(() => connection.disconnect()))
