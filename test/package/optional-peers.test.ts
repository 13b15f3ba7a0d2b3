// bullmq and ioredis are optional peer dependencies: package.json says so with the exact pins the
// tests run with, and where they are not installed (simulated by a resolve hook that answers as
// Node does for a missing package, test/fixtures/peers-missing.mjs) forkpool/redis,
// `forkpool worker` and `forkpool --redis` fail with one line that names the install command.
// test/package/pack.test.ts shows the same with a real install that lacks them.

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { CLI } from '../helpers/cli.js'

const ROOT = new URL('../..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as Record<string, Record<string, unknown> | undefined>
const PEERS = ['bullmq', 'ioredis']
const MISSING = ['--import', new URL('../fixtures/peers-missing.mjs', import.meta.url).pathname]
// eslint-disable-next-line @stylistic/max-len -- a one-line program, given to node -e
const IMPORT_REDIS = `import(${JSON.stringify(`${ROOT}dist/lib/remote/index.js`)}).then((m) => console.log('loaded', typeof m.redisBackend), (e) => console.log(e.name, e.code, e.message))`

interface Run { code: number | null; stdout: string; stderr: string }

function node(args: string[], missing?: string): Promise<Run> {
  const env = { ...process.env, FORKPOOL_TEST_MISSING: missing }
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

const line = (name: string): string => `forkpool's Redis backend and agent need bullmq and ioredis, and ${name} is not installed: npm ` +
  `install bullmq@${String(pkg.peerDependencies?.bullmq)} ioredis@${String(pkg.peerDependencies?.ioredis)}`

t.test('package.json: optional peer dependencies with exact pins, devDependencies for the tests, not dependencies', async (t) => {
  const { PEER_PINS, INSTALL_PEERS } = await import('../../dist/lib/remote/peers.js')
  for (const name of PEERS) {
    t.match(pkg.peerDependencies?.[name], /^\d+\.\d+\.\d+$/, `${name}: an exact pin`)
    t.equal(pkg.peerDependencies?.[name], PEER_PINS[name as keyof typeof PEER_PINS], `${name}: the pin the message names`)
    t.equal(pkg.devDependencies?.[name], pkg.peerDependencies?.[name], `${name}: the tests run the pinned version`)
    t.same(pkg.peerDependenciesMeta?.[name], { optional: true }, `${name}: optional`)
    t.notOk(name in (pkg.dependencies ?? {}), `${name}: not a dependency every user installs`)
    const installed = JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }
    t.equal(installed.version, pkg.peerDependencies?.[name], `${name}: installed at its pin`)
  }
  t.equal(INSTALL_PEERS, `npm install bullmq@${String(pkg.peerDependencies?.bullmq)} ioredis@${String(pkg.peerDependencies?.ioredis)}`)
})

t.test('import forkpool/redis without bullmq, or without ioredis: one ForkpoolError that says what to install', async (t) => {
  for (const name of PEERS) {
    const run = await node([...MISSING, '-e', IMPORT_REDIS], name)
    t.equal(run.stdout, `ForkpoolError ERR_FORKPOOL ${line(name)}\n`, `${name} missing`)
  }
  const loaded = await node(['-e', IMPORT_REDIS])
  t.equal(loaded.stdout, 'loaded function\n', 'with both installed it loads')
})

t.test('forkpool worker and forkpool --redis without the peers: exit 255 and one line on stderr', async (t) => {
  const worker = await node([...MISSING, CLI, 'worker', '--redis', 'redis://127.0.0.1:1/0', '--queue', 'q', '--root', ROOT])
  t.equal(worker.code, 255)
  t.equal(worker.stderr, `forkpool worker: ${line('bullmq')}\n`)
  t.equal(worker.stdout, '')
  const remote = await node([...MISSING, CLI, '--redis', 'redis://127.0.0.1:1/0', '--queue', 'q', 'echo', ':::', 'x'])
  t.equal(remote.code, 255)
  t.equal(remote.stderr, `forkpool: ${line('bullmq')}\n`)
  t.equal(remote.stdout, '', 'no job ran')
  // The agent's own usage check comes first: no install hint for a command line that could not run anyway.
  const usage = await node([...MISSING, CLI, 'worker', '--queue', 'q'])
  t.equal(usage.code, 2)
  t.match(usage.stderr, /--queue Q and --root DIR are required/)
})

t.test('a broken install is reported as it is, not as a missing peer', async (t) => {
  const { missingPeer } = await import('../../dist/lib/remote/peers.js')
  // bullmq is there but one of its own dependencies is not: Node's error names that one.
  const inner = Object.assign(new Error("Cannot find package 'msgpackr' imported from /x/bullmq/dist/esm/index.js"),
    { code: 'ERR_MODULE_NOT_FOUND' })
  t.equal(missingPeer('bullmq', inner), inner)
  const other = Object.assign(new Error("'bullmq' failed to load"), { code: 'EACCES' })
  t.equal(missingPeer('bullmq', other), other, 'any other failure')
  const missing = missingPeer('bullmq',
    Object.assign(new Error("Cannot find package 'bullmq' imported from /x/peers.js"), { code: 'ERR_MODULE_NOT_FOUND' }))
  t.match(missing, { name: 'ForkpoolError', code: 'ERR_FORKPOOL', message: line('bullmq') })
  t.equal((missing as Error).cause, undefined, 'no cause: Node would print its stack under the line')
})
