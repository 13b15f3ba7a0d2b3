#!/usr/bin/env node
// The forkpool command. Only the command-line parser loads up front; the runner (and with it
// the library) loads once the command line is known to be good.

import { parseCommandLine } from './options.js'
import { USAGE, USAGE_HINT, UsageError } from './usage.js'

// `forkpool worker …` is the agent of the Redis backend: its own command line, in its own file.
if (process.argv[2] === 'worker') process.exitCode = await (await import('./agent-command.js')).runAgentCommand(process.argv.slice(3))
else {
  try {
    const options = parseCommandLine(process.argv.slice(2))
    if (options.help) {
      process.stdout.write(USAGE)
    } else if (options.version) {
      const { readFileSync } = await import('node:fs')
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
      process.stdout.write(`forkpool ${pkg.version}\n`)
    } else {
      const { run } = await import('./run.js')
      const status = await run(options)
      process.exitCode ??= status
    }
  } catch (error) {
    process.stderr.write(`forkpool: ${(error as Error).message}\n`)
    if (error instanceof UsageError) process.stderr.write(`${USAGE_HINT}\n`)
    process.exitCode = 255
  }
}
