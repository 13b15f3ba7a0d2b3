// The benchmark workers, registered the way workerpool wants them (a worker file per pool, functions by name).
import workerpool from 'workerpool'
import hash from '../../workers/hash.js'
import noop from '../../workers/noop.js'
import timer from '../../workers/timer.js'

workerpool.worker({ noop, hash, timer })
