// The raw engine's side of remote-bulk: a hand-written BullMQ Worker, one per agent process, that
// answers each job (one item) with its data plus one, `concurrency` at a time, as BullMQ's docs
// write a worker. argv: URL QUEUE CONCURRENCY. Prints `ready`, stops on SIGTERM/KILL.
import { Worker } from 'bullmq'
import { Redis } from 'ioredis'

const [url, queue, concurrency] = process.argv.slice(2) as [string, string, string]
const connection = new Redis(url, { maxRetriesPerRequest: null })
const worker = new Worker(queue, async (job) => (job.data as number) + 1, { connection, concurrency: Number(concurrency) })
await worker.waitUntilReady()
process.stdout.write('ready\n')
process.once('SIGTERM', () => void worker.close().then(() => connection.disconnect()))
