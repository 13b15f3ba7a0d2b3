// The file piscina loads in each thread. piscina loads its task handler with require(), and on
// Node 20 an ES module loaded that way goes through a "require(esm) facade" whose creation can hit
// a C++ assertion that aborts the whole process when the thread dies mid-load (seen once in the
// soak, right after a thread reached its heap limit). This CommonJS file keeps piscina on the plain
// require path and loads the ES module entry with import(), where a failure is only a rejection.

import type { ThreadReply, ThreadTask } from './protocol.js'

// Loaded as the thread starts, before any task: a task stopped mid-load would terminate the
// thread while it reads module files, which leaks their fds (see bench/repro/piscina-fd-leak.mjs).
const entry: Promise<(task: ThreadTask) => Promise<ThreadReply>> = import('./runtime.js').then((module) => module.default)
// A load that fails crashes the thread at start-up, which ThreadRunner reports to the pool's jobs.

export = async function runTask(task: ThreadTask): Promise<ThreadReply> {
  return (await entry)(task)
}
