// node dist/bench/spawn.js [--quick]: the spawn suite alone, through the harness — 1000 /bin/true
// jobs at cap 2 through forkpool vs a hand-written child_process.spawn loop (and execa + p-limit),
// alternating, medians of 5, with the ratios and whether forkpool stays within 1.10x of the loop.
import { bench } from './run.js'

const { failed } = await bench({ suites: ['spawn'], quick: process.argv.includes('--quick') })
if (failed.length > 0) process.exitCode = 1
