// The file piscina runs in each pool thread: it calls worker files the same way a child process does.
// Wiring only, with no function of its own: what runs here is in run-task.ts, stops.ts and exits.ts,
// tested in the main thread, because a pool thread's coverage is lost when a test terminates it.

import { BroadcastChannel, threadId, workerData } from 'node:worker_threads'
import type { CallContext } from '../../worker/call.js'
import { listenForStops } from './stops.js'
import { recordExitsOf } from './exits.js'
import { taskRunner } from './run-task.js'

const running = new Map<number, CallContext>()
const { stopChannel, stopFlags, exitCodes, placements } = workerData as { stopChannel: string; stopFlags: Int32Array; exitCodes: Int32Array; placements: Int32Array }
// A job's process.exit() ends the thread; the parent reads its code from exitCodes.
recordExitsOf(process, exitCodes, running)
listenForStops(new BroadcastChannel(stopChannel), running)

export default taskRunner({ running, stopFlags, placements, threadId })
