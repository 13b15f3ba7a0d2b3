// poolifier's cluster worker for the process-noop benchmark. CommonJS on purpose: poolifier 5.3's
// cluster pool hangs with an ESM worker file.
import { ClusterWorker } from 'poolifier'

module.exports = new ClusterWorker((data?: unknown) => data)
