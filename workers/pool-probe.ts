// Reports on the process it runs in, for the process-pool tests: which process, how many jobs
// it has run, and memory it is asked to keep (a leak on purpose).
const kept: Buffer[] = []
let jobs = 0

export interface ProbeOrder {
  /** Megabytes to allocate, touch and keep for the life of the process. */
  keepMB?: number
}

export default function probe(order: ProbeOrder = {}) {
  jobs++
  if (order.keepMB) kept.push(Buffer.alloc(order.keepMB * 1024 * 1024, 1))
  return { pid: process.pid, jobs, rss: process.memoryUsage.rss() }
}
