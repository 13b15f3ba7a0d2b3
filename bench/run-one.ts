// The child the harness starts, fresh, for each contender of each round:
//   node dist/bench/run-one.js SUITE CONTENDER [quick] [OUT_FILE]
// It runs the contender once and writes {"figure": n} to OUT_FILE (or prints the figure). Run it
// by hand to profile one contender: node --cpu-prof dist/bench/run-one.js spawn forkpool quick

import { writeFileSync } from 'node:fs'
import { suites } from './suites/index.js'

const [suiteName, contender, mode, out] = process.argv.slice(2)
const suite = suites.find((s) => s.name === suiteName)
if (suite === undefined) throw new Error(`no suite named ${JSON.stringify(suiteName)}; there are: ${suites.map((s) => s.name).join(', ')}`)
if (contender === undefined || !suite.contenders.includes(contender)) {
  throw new Error(`suite ${suite.name} has no contender ${JSON.stringify(contender)}; it has: ${suite.contenders.join(', ')}`)
}
const measured = await suite.run(contender, mode === 'quick')
const { figure, details } = typeof measured === 'number' ? { figure: measured, details: {} } : measured
if (typeof figure !== 'number' || !Number.isFinite(figure) || figure < 0) {
  throw new Error(`${suite.name}/${contender} returned ${String(figure)}, not a figure in ${suite.unit}`)
}
if (out) writeFileSync(out, JSON.stringify({ figure, details }))
else console.log(`${suite.name}/${contender}: ${figure} ${suite.unit}`, details)
