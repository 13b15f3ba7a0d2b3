// The child of the hand-written child_process.fork dispatcher (process-noop benchmark): echo each message.
process.on('message', (message) => process.send!(message))
process.on('disconnect', () => process.exit(0))
