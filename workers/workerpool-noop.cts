// workerpool's worker for the process-noop benchmark (CommonJS: workerpool forks it as a plain script).
import workerpool = require('workerpool')

workerpool.worker({ noop: (data: unknown) => data })
