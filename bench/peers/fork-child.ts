// The hand-written child of the raw child_process.fork baseline (and of execaNode): takes one
// message, runs the noop worker on it, sends the answer back and exits — what forkpool's worker
// runtime does, without its supervision.
import noop from '../../workers/noop.js'

process.once('message', (data: unknown) => {
  process.send!(noop(data), () => process.exit(0))
})
