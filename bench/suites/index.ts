// The registry: every suite the harness knows, in the order it runs them. Add a suite with one
// import line and one entry below. Suites import their peer libraries inside run(), so loading
// this list stays cheap for every fresh contender process.
import type { Suite } from '../suite.js'
import { suite as cli } from './cli.js'
import dns from './dns.js'
import forkPerTask from './fork-per-task.js'
import { suite as freshBigParent } from './fresh-big-parent.js'
import latencyTimer from './latency-timer.js'
import latency from './latency.js'
import { suite as mapMemory } from './map-memory.js'
import { suite as mapTiny } from './map-tiny.js'
import memory from './memory.js'
import { suite as processNoop } from './process-noop.js'
import { suite as remoteBulk } from './remote-bulk.js'
import { suite as remoteFailover } from './remote-failover.js'
import { suite as remoteMap } from './remote-map.js'
import { suite as remoteNoop } from './remote-noop.js'
import spawn from './spawn.js'
import { suite as spawnBigParent } from './spawn-big-parent.js'
import threadCpu from './thread-cpu.js'
import threadNoop from './thread-noop.js'

export const suites: Suite[] = [
  spawn,
  spawnBigParent,
  freshBigParent,
  latency,
  latencyTimer,
  threadNoop,
  threadCpu,
  forkPerTask,
  memory,
  processNoop,
  mapTiny,
  mapMemory,
  cli,
  dns,
  remoteNoop,
  remoteMap,
  remoteBulk,
  remoteFailover,
]
