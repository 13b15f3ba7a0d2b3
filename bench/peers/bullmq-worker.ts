// The raw engine's side of remote-noop: a hand-written BullMQ Worker that answers each job with its
// data, `concurrency` at a time. argv: URL QUEUE CONCURRENCY. Prints `ready`, stops on SIGTERM/KILL.
import { Worker } from 'bullmq'
import { Redis } from 'ioredis'

const [url, queue, concurrency] = process.argv.slice(2) as [string, string, string]
const connection = new Redis(url, { maxRetriesPerRequest: null })
const worker = new Worker(queue, async (job) => job.data as unknown, { connection, concurrency: Number(concurrency) })
await worker.waitUntilReady()
process.stdout.write('ready\n')
process.once('SIGTERM', () => void worker.close().then(() => connection.disconnect()))
