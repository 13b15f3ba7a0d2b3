// The benchmark workers, registered the way poolifier wants them (a ThreadWorker with named task functions).
import { ThreadWorker } from 'poolifier'
import hash from '../../workers/hash.js'
import noop from '../../workers/noop.js'
import timer from '../../workers/timer.js'

// poolifier types task data as optional; the benchmarks always send it.
export default new ThreadWorker<number, unknown>({
  noop: (data) => noop(data),
  hash: (data) => hash(data!),
  timer: (data) => timer(data!),
})
