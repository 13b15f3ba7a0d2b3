// The remote soak (`npm run soak -- --remote`): a long mixed batch through redisBackend() to 3
// `forkpool worker` agents, each a process of its own, on a redis-server of its own (AOF on),
// while, at seeded points of the run, agents are SIGKILLed and started again, Redis is stopped
// with SIGTERM and started again on the same socket (once for 30 s), and connections are cut
// (the producer's event reader by its id, the agents' stop subscribers by type). What it shows
// per seed: every start() and map() item settled exactly once, as its job predicts; how often
// each ran (counted by the runs themselves, in a file, not from the results): at least once unless
// cancelled, at most 1 + maxStalledCount; no process of any job left; the agents taking jobs again
// after each Redis outage; Redis's used_memory and key count at the end against the start.
// Everything it starts it stops by pid, and a watchdog ends a run that does not end by itself.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { ForkManager, type JobResult, type JobSpec } from '../lib/index.js'
import type { SoakOrder } from './peers/remote-soak-worker.js'
import { seededRandom } from './support.js'

const CLI = new URL('../lib/cli/main.js', import.meta.url).pathname
const ROOT = new URL('../', import.meta.url).pathname
const WORKER = new URL('./peers/remote-soak-worker.js', import.meta.url).pathname
const HANG_TIMEOUT_MS = 300
/** Every other job's timeout: long, so a loaded machine or an outage is never taken for a hang. */
const TIMEOUT_MS = 120_000
const KILL_GRACE_MS = 400

export interface RemoteSoakOptions {
  seed: number
  jobs: number
  /** Agents (separate processes), and jobs at once on each. */
  agents?: number
  perAgent?: number
  /** The producer's cap: jobs sent and not yet ended. */
  maxProcs?: number
  /** The long Redis outage, s (0: none). */
  outageS?: number
  lockDuration?: number
  stalledInterval?: number
  maxStalledCount?: number
  /** A run not ended after this long is stopped and reported as such. Default: 10 min + 100 ms per job. */
  deadlineMs?: number
}

type Kind = 'command' | 'process' | 'process-pool' | 'thread' | 'map'

interface Plan {
  kind: Kind
  fault: string
  /** The run keys it makes (one per job; one per item of a map). */
  keys: string[]
  job?: JobSpec
  items?: SoakOrder[]
  isolation?: 'thread' | 'process-pool'
  timeoutMs?: number
  cancelAfterMs?: number
  check(r: {
    ok: boolean; exitCode?: number | null; cancelled?: boolean; timedOut?: boolean; signal?: NodeJS.Signals | null; data?: unknown
    attempts?: number; host?: string | null
    error?: { name?: string; message?: string } | null
  }): string | null
}

export interface FaultLog {
  agentKills: number
  redisOutages: number
  longOutageMs: number
  eventKills: number
  pubsubKills: number
}

export interface RemoteSoakReport extends FaultLog {
  seed: number
  jobs: number
  mapItems: number
  kinds: Record<string, number>
  wallMs: number
  /** Starts and items settled more than once / never. */
  settledTwice: number
  unsettled: number
  mismatches: string[]
  /** Results that are a storm's to give: WorkerLostError (lost past maxStalledCount). */
  workerLost: number
  /**
   * Commands that timed out while their agent was lost: the producer's deadline passed before the re-run
   * began, so the re-run was stopped as it arrived (the stop order waits on the agents for a job not
   * there yet), and nothing of it was signalled (signal and exit code null, no error).
   */
  timedOutInFailover: number
  /** JobLostError results: Redis lost a job (none expected: AOF). */
  jobLost: number
  /** Runs per key, from the runs file. */
  maxRuns: number
  rerun: number
  overRun: string[]
  neverRan: string[]
  /** Processes of a killed agent's jobs still alive 30 s after the kill (looked for at 10 s, then at 30 s), and of any job at the end. */
  leftAfterKill: string[]
  /** Processes of a killed agent's jobs still alive 10 s after the kill (gone by 30 s, or in leftAfterKill). */
  slowToGo: number
  leftAtEnd: string[]
  /** Per Redis outage: the agents up across it, and how many of them took a job after it. */
  afterOutages: Array<{ agents: number; took: number }>
  memoryStart: number
  memoryEnd: number
  keysStart: number
  keysEnd: number
  timedOutRun: boolean
  ok: boolean
}

const expect = (cond: boolean, what: string, r: Parameters<Plan['check']>[0]): string | null =>
  cond
    ? null
    : `${what}: got ok ${r.ok}, exitCode ${r.exitCode}, signal ${r.signal}, timedOut ${r.timedOut}, cancelled ${r.cancelled}, ` +
      `attempts ${r.attempts}, host ${r.host}, error ${r.error?.name}: ${r.error?.message?.slice(0, 160)}`

function planJob(rand: () => number, i: number): Plan {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const key = `j${i}`
  const code = 1 + Math.floor(rand() * 200)
  const slowMs = 50 + Math.floor(rand() * 750)
  const kindDraw = rand()
  const kinds: Array<[number, Kind]> = [[0.25, 'command'], [0.33, 'process'], [0.63, 'process-pool'], [0.95, 'thread']]
  const kind: Kind = kinds.find(([below]) => kindDraw < below)?.[1] ?? 'map'
  if (kind === 'command') {
    const fault = pick(['ok', 'exit', 'slow', 'hang', 'cancel'] as const)
    const sh = (script: string): JobSpec => ({ command: 'sh', args: ['-c', `echo ${key} >> "$FORKPOOL_SOAK_RUNS"; ${script}`] })
    const keys = [key]
    switch (fault) {
      case 'ok': return { kind, fault, keys, job: sh('true'), check: (r) => expect(r.exitCode === 0 && !r.error, 'succeeds', r) }
      case 'exit': return { kind, fault, keys, job: sh(`exit ${code}`), check: (r) => expect(r.exitCode === code, `exits ${code}`, r) }
      case 'slow': return {
        kind, fault, keys, job: sh(`sleep ${(slowMs / 1000).toFixed(3)}`), check: (r) => expect(r.exitCode === 0, 'sleeps and succeeds', r)
      }
      case 'hang': return {
        kind, fault, keys, job: sh('sleep 60 & wait'), timeoutMs: HANG_TIMEOUT_MS,
        // Killed by its agent's stop; or, when its agent was lost and the producer's deadline passed
        // before the re-run began, stopped as it arrived there: no signal (timedOutInFailover).
        check: (r) => expect(r.timedOut === true && (r.signal !== null || (r.exitCode === null && !r.error)), 'times out and is killed', r)
      }
      case 'cancel': return {
        kind, fault, keys, job: sh('sleep 60 & wait'), cancelAfterMs: rand() * 300,
        check: (r) => expect(r.cancelled === true && !r.timedOut, 'is cancelled', r)
      }
    }
  }
  const value = { n: code, at: new Date(code), tags: new Set(['a', 'b']) }
  const returned = (data: unknown): boolean =>
    (data as typeof value | undefined)?.tags?.has('b') === true && (data as typeof value).n === code
  if (kind === 'map') {
    const count = 20 + Math.floor(rand() * 100)
    const items: SoakOrder[] = Array.from({ length: count },
      (_, j) => ({ key: `${key}.${j}`, mode: rand() < 0.1 ? 'slow' : 'ok', ms: Math.floor(rand() * 40), value }))
    const isolation = pick(['thread', 'process-pool'] as const)
    return {
      kind, fault: isolation, keys: items.map((item) => item.key), items, isolation,
      check: (r) => expect(r.ok && returned(r.data), 'returns its item\'s value', r)
    }
  }
  const fault = pick(['ok', 'slow', 'throw', 'finish', 'hang', 'hang-deaf', 'cancel'] as const)
  const job = (order: Omit<SoakOrder, 'key'>): JobSpec => ({ worker: WORKER, isolation: kind, data: { key, ...order } })
  const keys = [key]
  switch (fault) {
    case 'ok': return {
      kind, fault, keys, job: job({ mode: 'ok', value }), check: (r) => expect(r.exitCode === 0 && returned(r.data), 'returns its data', r)
    }
    case 'slow': return {
      kind, fault, keys, job: job({ mode: 'slow', ms: slowMs, value }),
      check: (r) => expect(r.exitCode === 0 && returned(r.data), 'sleeps and returns its data', r)
    }
    case 'throw': return {
      kind, fault, keys, job: job({ mode: 'throw' }), check: (r) => expect(r.exitCode === 1 && r.error?.name === 'RangeError', 'throws', r)
    }
    case 'finish': return {
      kind, fault, keys, job: job({ mode: 'finish', code, value }),
      check: (r) => expect(r.exitCode === code && returned(r.data), `finishes with ${code}`, r)
    }
    case 'hang': return {
      kind, fault, keys, job: job({ mode: 'hang' }), timeoutMs: HANG_TIMEOUT_MS,
      check: (r) => expect(r.timedOut === true && (r.error?.name === 'AbortError' || r.signal !== null || r.exitCode === null),
        'times out', r)
    }
    case 'hang-deaf': return {
      kind, fault, keys, job: job({ mode: 'hang-deaf' }), timeoutMs: HANG_TIMEOUT_MS,
      check: (r) => expect(r.timedOut === true && (r.exitCode === null || r.error?.name === 'AbortError'), 'times out and is stopped', r)
    }
    case 'cancel': return {
      kind, fault, keys, job: job({ mode: 'hang' }), cancelAfterMs: rand() * 300,
      check: (r) => expect(r.cancelled === true && !r.timedOut, 'is cancelled', r)
    }
  }
}

/** Processes whose environment holds FORKPOOL_SOAK=<a value starting with prefix>: "pid command". */
function processesMarked(prefix: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const marker = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').find((v) => v.startsWith('FORKPOOL_SOAK='))
      if (marker?.slice('FORKPOOL_SOAK='.length).startsWith(prefix)) {
        const stat = readFileSync(`/proc/${entry}/stat`, 'latin1')
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue
        found.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim().slice(0, 120)}`)
      }
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
  child.kill('SIGTERM')
  await exited(child)
  clearTimeout(kill)
}

class RedisProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'fp-soak-redis-'))
  readonly socket = join(this.dir, 'r.sock')
  child: ChildProcess | undefined

  async start(): Promise<void> {
    const args = ['--port', '0', '--unixsocket', this.socket, '--unixsocketperm', '700', '--dir', this.dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction']
    const child = (this.child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] }))
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`redis-server exited ${code} before it was ready`)))
      child.stdout.on('data', (chunk: Buffer) => { if (/ready to accept/i.test(chunk.toString())) resolve() })
    })
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    await exited(child)
  }

  async close(): Promise<void> {
    if (this.child !== undefined) await stopProcess(this.child, 5000)
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** One agent slot: its current process (an incarnation), started again after each kill. */
class AgentSlot {
  readonly index: number
  child: ChildProcess | undefined
  /** The incarnation's name (its results' host) and when it was up: `a<slot>.<n>`. */
  name = ''
  incarnation = 0
  readonly history: Array<{ name: string; readyAt: number; endedAt: number | undefined }> = []
  readonly #spawn: (name: string) => ChildProcess

  constructor(index: number, spawnAgent: (name: string) => ChildProcess) {
    this.index = index
    this.#spawn = spawnAgent
  }

  /** Starts an incarnation and resolves once it is ready; one that exits first (Redis away) is started again, until `until()` says stop. */
  async start(until: () => boolean): Promise<void> {
    while (!until()) {
      const name = `a${this.index}.${this.incarnation++}`
      const child = this.#spawn(name)
      const ready = await new Promise<boolean>((resolve) => {
        child.once('exit', () => resolve(false))
        child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve(true) })
      })
      if (ready) {
        this.child = child
        this.name = name
        const entry = { name, readyAt: Date.now(), endedAt: undefined as number | undefined }
        this.history.push(entry)
        child.once('exit', () => (entry.endedAt = Date.now()))
        return
      }
      await sleep(1000)
    }
  }
}

export async function remoteSoak(options: RemoteSoakOptions): Promise<RemoteSoakReport> {
  const { seed, jobs } = options
  const agentCount = options.agents ?? 3
  const perAgent = options.perAgent ?? 8
  const maxStalledCount = options.maxStalledCount ?? 1
  const outageMs = (options.outageS ?? 30) * 1000
  const rand = seededRandom(seed)
  const faultDraw = seededRandom(seed + 7_000_003)
  const runId = `${process.pid}-${seed}-${Date.now()}`
  const plans: Plan[] = Array.from({ length: jobs }, (_, i) => planJob(rand, i))
  const kinds: Record<string, number> = {}
  for (const plan of plans) kinds[`${plan.kind}/${plan.fault}`] = (kinds[`${plan.kind}/${plan.fault}`] ?? 0) + 1

  const redis = new RedisProcess()
  const runsFile = join(redis.dir, 'runs')
  writeFileSync(runsFile, '')
  await redis.start()
  const url = `redis+unix://${redis.socket}`
  const queue = `soak-${seed}`
  const client = new Redis({ path: redis.socket, maxRetriesPerRequest: null })
  client.on('error', () => {})
  let finished = false
  const spawnAgent = (name: string): ChildProcess => spawn(process.execPath, [CLI, 'worker', '--redis', url, '--queue', queue, '-j',
    String(perAgent), '--name', name,
    '--root', ROOT, '--allow-commands', '--lock-duration', String(options.lockDuration ?? 10_000),
    '--stalled-interval', String(options.stalledInterval ?? 2000),
    '--max-stalled-count', String(maxStalledCount)], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORKPOOL_SOAK: `${runId}/${name}`, FORKPOOL_SOAK_RUNS: runsFile },
  })
  const slots = Array.from({ length: agentCount }, (_, i) => new AgentSlot(i + 1, spawnAgent))
  const log: FaultLog = { agentKills: 0, redisOutages: 0, longOutageMs: 0, eventKills: 0, pubsubKills: 0 }
  const outageEnds: number[] = []
  const leftAfterKill: string[] = []
  let slowToGo = 0
  const checks: Promise<void>[] = []
  let pm: ForkManager | undefined
  let memoryStart = 0
  let keysStart = 0
  const report: Partial<RemoteSoakReport> = {}
  // A soak stopped from outside (Ctrl-C, SIGTERM) stops what it started before it goes.
  const stopFromOutside = (signal: NodeJS.Signals): void => {
    for (const slot of slots) slot.child?.kill('SIGKILL')
    // The agents' jobs too: every process this run started carries its mark.
    for (const entry of processesMarked(runId)) {
      try {
        process.kill(Number(entry.split(' ')[0]), 'SIGKILL')
      } catch {
        // Gone meanwhile.
      }
    }
    redis.child?.kill('SIGKILL')
    rmSync(redis.dir, { recursive: true, force: true })
    process.kill(process.pid, signal)
  }
  process.once('SIGINT', stopFromOutside)
  process.once('SIGTERM', stopFromOutside)
  try {
    await Promise.all(slots.map((slot) => slot.start(() => finished)))
    memoryStart = await usedMemory(client)
    keysStart = await client.dbsize()
    const { redisBackend } = await import('../lib/remote/index.js')
    pm = new ForkManager({
      maxProcs: options.maxProcs ?? 48, timeout: TIMEOUT_MS, killGrace: KILL_GRACE_MS, backend: redisBackend({ url, queue }),
    })
    const begun = performance.now()

    // The faults, at seeded points of the run (counted in jobs started), one at a time.
    type Fault = 'agent' | 'restart' | 'outage' | 'events' | 'pubsub'
    const schedule: Array<{ at: number; fault: Fault }> = []
    const place = (fault: Fault, count: number): void => {
      for (let k = 0; k < count; k++) schedule.push({ at: Math.floor(jobs * (0.03 + 0.82 * faultDraw())), fault })
    }
    place('agent', Math.max(3, Math.round(jobs / 500)))
    place('restart', Math.max(1, Math.round(jobs / 4000)))
    if (outageMs > 0) place('outage', 1)
    place('events', Math.max(2, Math.round(jobs / 1500)))
    place('pubsub', Math.max(1, Math.round(jobs / 3000)))
    schedule.sort((a, b) => a.at - b.at)
    let faults = Promise.resolve()
    const killAgent = async (): Promise<void> => {
      const slot = slots[Math.floor(faultDraw() * slots.length)]!
      const child = slot.child
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
      const name = slot.name
      child.kill('SIGKILL')
      await exited(child)
      log.agentKills++
      if (process.env.SOAK_DEBUG) console.error(`killed ${name} at ${((performance.now() - begun) / 1000).toFixed(1)} s`)
      // Its jobs' processes must go with it: worker processes by their closed channel, commands by their spawner.
      // (Checked 10 s after, then again at 30 s: on a loaded machine a process still booting when its agent died takes a while to see its
      // channel gone.)
      checks.push(sleep(10_000).then(async () => {
        const at10 = processesMarked(`${runId}/${name}`)
        slowToGo += at10.length
        if (at10.length === 0) return
        await sleep(20_000)
        leftAfterKill.push(...processesMarked(`${runId}/${name}`).map((p) => `${name}: ${p}`))
      }))
      await sleep(200 + faultDraw() * 2800)
      await slot.start(() => finished)
    }
    const redisDown = async (ms: number): Promise<void> => {
      await redis.stop('SIGTERM')
      log.redisOutages++
      if (ms > 0) log.longOutageMs = ms
      if (process.env.SOAK_DEBUG) console.error(`redis down at ${((performance.now() - begun) / 1000).toFixed(1)} s for ${ms} ms`)
      await sleep(ms)
      await redis.start()
      outageEnds.push(Date.now())
    }
    const cut = async (type: 'events' | 'pubsub'): Promise<void> => {
      if (type === 'pubsub') {
        await client.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
        log.pubsubKills++
        return
      }
      // The producer's event reader is the one connection blocked in XREAD; between two reads it is not, for a moment.
      for (let tries = 0; tries < 50; tries++) {
        const line = String(await client.call('CLIENT', 'LIST')).split('\n').find((l) => / cmd=xread/.test(l))
        if (line !== undefined) {
          await client.call('CLIENT', 'KILL', 'ID', /(?:^| )id=(\d+)/.exec(line)![1]!)
          log.eventKills++
          return
        }
        await sleep(20)
      }
    }
    const inject = (fault: Fault): void => {
      faults = faults.then(() => {
        if (process.env.SOAK_DEBUG) console.error(`fault ${fault} at ${((performance.now() - begun) / 1000).toFixed(1)} s`)
        switch (fault) {
          case 'agent': return killAgent()
          case 'restart': return redisDown(0)
          case 'outage': return redisDown(outageMs)
          default: return cut(fault)
        }
      }).catch((error: Error) => console.error(`soak fault ${fault}: ${error.message}`))
    }

    const counts = new Map<string, number>()
    const mismatches: string[] = []
    let workerLost = 0
    let timedOutInFailover = 0
    const lostKeys = new Set<string>()
    let jobLost = 0
    const hostsAfter: Array<{ host: string; startedAt: number }> = []
    const settle = (key: string, plan: Plan, r: Parameters<Plan['check']>[0], kindName: string): void => {
      counts.set(key, (counts.get(key) ?? 0) + 1)
      if (r.error?.name === 'WorkerLostError') {
        if (process.env.SOAK_DEBUG) {
          const where = JSON.stringify([r.attempts, r.host])
          console.error(`lost ${key} ${kindName} ${where} at ${((performance.now() - begun) / 1000).toFixed(1)} s: ${r.error.message}`)
        }
        lostKeys.add(key)
        return void workerLost++
      }
      if (r.error?.name === 'JobLostError') {
        jobLost++
        const at = ((performance.now() - begun) / 1000).toFixed(1)
        console.error(`JobLostError ${key} ${kindName} ${JSON.stringify([r.attempts, r.host])} at ${at} s: ${r.error.message}`)
      }
      // A command stopped by its agent has a signal: one without timed out while its agent was lost.
      if (plan.kind === 'command' && r.timedOut === true && r.signal === null && r.exitCode === null && !r.error) {
        timedOutInFailover++
        if (process.env.SOAK_DEBUG) {
          const at = ((performance.now() - begun) / 1000).toFixed(1)
          console.error(`timed out in failover ${key} ${JSON.stringify([r.attempts, r.host])} at ${at} s`)
        }
      }
      const why = plan.check(r)
      if (why !== null) mismatches.push(`${key} (${kindName}) should have: ${why}`)
    }
    const maps: Promise<void>[] = []
    let next = 0
    for (const [i, plan] of plans.entries()) {
      while (next < schedule.length && schedule[next]!.at <= i) inject(schedule[next++]!.fault)
      const kindName = `${plan.kind}/${plan.fault}`
      if (plan.kind === 'map') {
        maps.push((async () => {
          try {
            for await (const r of pm.map<SoakOrder, unknown>(plan.items!, { worker: WORKER, isolation: plan.isolation! }, {
              chunkSize: 25, concurrency: 2, ident: `j${i}`,
            })) {
              settle(plan.items![r.index]!.key, plan, r, kindName)
            }
          } catch (error) {
            mismatches.push(`j${i} (${kindName}): map() threw ${(error as Error).message}`)
          }
        })())
        continue
      }
      const handle = await pm.start(`j${i}`, plan.job!, plan.timeoutMs === undefined ? {} : { timeout: plan.timeoutMs })
      if (plan.cancelAfterMs !== undefined) setTimeout(() => handle.cancel('soak'), plan.cancelAfterMs)
      void handle.result.then((r: JobResult) => {
        hostsAfter.push({ host: r.host, startedAt: r.startedAt })
        settle(`j${i}`, plan, r, kindName)
      })
    }
    while (next < schedule.length) inject(schedule[next++]!.fault)
    // Bounded: a start() that never settles is this soak's finding, not its hang.
    const deadlineMs = options.deadlineMs ?? 600_000 + 100 * jobs
    let watchdog: NodeJS.Timeout | undefined
    const inTime = await Promise.race([
      Promise.all([pm.waitAllChildren(), ...maps, faults]).then(() => true),
      new Promise<false>((resolve) => (watchdog = setTimeout(() => resolve(false), deadlineMs))),
    ])
    clearTimeout(watchdog)
    report.wallMs = Math.round(performance.now() - begun)
    report.timedOutRun = !inTime
    // The last outage may come after the last job: a probe of twice the agents' slots of 1 s jobs
    // at once, which no fewer than all the agents can take in its first second.
    if (inTime) {
      const probe: JobResult[] = []
      const sent = Promise.all(Array.from({ length: 2 * agentCount * perAgent },
        async (_,
          k) => probe.push(await (await pm!.start(`probe-${k}`, {
          worker: WORKER, isolation: 'thread', data: { key: `probe-${k}`, mode: 'slow', ms: 1000 },
        })).result)))
      await bounded(sent, 60_000)
      if (probe.length < 2 * agentCount * perAgent) {
        mismatches.push(`the probe: ${probe.length} of ${2 * agentCount * perAgent} jobs settled within 60 s`)
      }
      for (const r of probe) {
        if (!r.ok) mismatches.push(`probe-${r.ident} failed: ${r.error?.message}`)
        hostsAfter.push({ host: r.host, startedAt: r.startedAt })
      }
    }
    await Promise.all(checks)

    // Runs per key, from the runs themselves.
    const runs = new Map<string, number>()
    for (const line of readFileSync(runsFile, 'utf8').split('\n')) if (line !== '') runs.set(line, (runs.get(line) ?? 0) + 1)
    const allKeys = plans.flatMap((plan) => plan.keys.map((key) => ({ key, plan })))
    const overRun = [...runs].filter(([, n]) => n > 1 + maxStalledCount).map(([key, n]) => `${key} ran ${n} times`)
    // A cancelled job may never have begun, nor one whose short timeout came while its worker was loading; any other must have run.
    const neverRan = allKeys
      .filter(({ key, plan }) => !runs.has(key) && !lostKeys.has(key) && plan.cancelAfterMs === undefined && plan.timeoutMs === undefined)
      .map(({ key, plan }) => `${key} (${plan.kind}/${plan.fault})`)
    // Per outage: the agents up across it (ready before its end, alive 20 s after) and which took a job after it.
    const afterOutages = outageEnds.map((end) => {
      const up = slots.flatMap((slot) => slot.history)
        .filter((h) => h.readyAt < end && (h.endedAt === undefined || h.endedAt > end + 20_000))
      const took = up.filter((h) => hostsAfter.some((r) => r.host === h.name && r.startedAt > end))
      return { agents: up.length, took: took.length }
    })
    Object.assign(report, {
      ...log,
      seed, jobs, kinds,
      mapItems: plans.filter((p) => p.kind === 'map').reduce((n, p) => n + p.items!.length, 0),
      settledTwice: [...counts.values()].filter((n) => n > 1).length,
      unsettled: allKeys.filter(({ key }) => !counts.has(key)).length,
      mismatches, workerLost, timedOutInFailover, jobLost,
      maxRuns: Math.max(0, ...runs.values()),
      rerun: [...runs.values()].filter((n) => n > 1).length,
      overRun, neverRan, leftAfterKill, slowToGo, afterOutages,
    })
    // After the watchdog, what never settled would keep close() waiting: stopped instead, for a bounded time.
    await bounded(inTime ? pm.close() : pm.shutdown({ grace: 1000 }), 60_000)
    pm = undefined
    // BullMQ trims a queue's finished jobs lazily, as later jobs finish: what is left now is what stays.
    report.memoryEnd = await usedMemory(client)
    report.keysEnd = await client.dbsize()
  } finally {
    finished = true
    process.off('SIGINT', stopFromOutside)
    process.off('SIGTERM', stopFromOutside)
    if (pm !== undefined) await bounded(pm.shutdown({ grace: 1000 }), 60_000)
    await Promise.all(slots.flatMap((slot) => slot.child === undefined ? [] : [stopProcess(slot.child, 5000)]))
    let left = processesMarked(runId)
    for (let i = 0; i < 20 && left.length > 0; i++) {
      await sleep(100)
      left = processesMarked(runId)
    }
    report.leftAtEnd = left
    client.disconnect()
    await redis.close()
  }
  const r = report as RemoteSoakReport
  r.memoryStart = memoryStart
  r.keysStart = keysStart
  r.ok = !r.timedOutRun && r.settledTwice === 0 && r.unsettled === 0 && r.mismatches.length === 0 && r.jobLost === 0 &&
    r.overRun.length === 0 &&
    r.neverRan.length === 0 && r.leftAfterKill.length === 0 && r.leftAtEnd.length === 0 && r.afterOutages.every((o) => o.took === o.agents)
  return r
}

/** `work`, or its end given up after `ms`: the soak must end by itself. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

async function usedMemory(client: Redis): Promise<number> {
  const info = String(await client.info('memory'))
  return Number(/used_memory:(\d+)/.exec(info)![1])
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`

export function formatRemoteReport(r: RemoteSoakReport): string {
  const rows: Array<[string, string]> = [
    ['seed', String(r.seed)],
    ['jobs (map() items)', `${r.jobs} (${r.mapItems} items in ` +
      `${r.kinds ? Object.entries(r.kinds).filter(([k]) => k.startsWith('map/')).reduce((n, [, v]) => n + v, 0) : 0} maps)`],
    ['kinds', Object.entries(r.kinds).sort().map(([k, v]) => `${k} ${v}`).join(', ')],
    ['agent kills', String(r.agentKills)],
    ['Redis outages (SIGTERM, restart on the same socket)', `${r.redisOutages} (one of ${(r.longOutageMs / 1000).toFixed(0)} s)`],
    ['event-connection kills (producer XREAD by id / agents\' pubsub)', `${r.eventKills} / ${r.pubsubKills}`],
    ['settled exactly once (all)', r.settledTwice === 0 && r.unsettled === 0 ? 'yes' : `no: ${r.settledTwice} twice, ${r.unsettled} never`],
    ['results as their jobs predict', r.mismatches.length === 0 ? 'yes' : `no: ${r.mismatches.length} mismatches`],
    ['WorkerLostError (lost past maxStalledCount) / JobLostError', `${r.workerLost} / ${r.jobLost}`],
    ['timed out while their agent was lost (the re-run stopped as it arrived)', String(r.timedOutInFailover)],
    ['runs per job (max) / jobs run more than once',
      `${r.maxRuns} / ${r.rerun}${r.overRun.length ? ` (over the limit: ${r.overRun.slice(0, 5).join(', ')})` : ''}`],
    ['jobs never run (not cancelled)', String(r.neverRan.length)],
    ['processes left (30 s after an agent kill / at the end; still there 10 s after a kill)',
      `${r.leftAfterKill.length} / ${r.leftAtEnd.length} (${r.slowToGo})`],
    ['agents taking jobs after each Redis outage', r.afterOutages.map((o) => `${o.took}/${o.agents}`).join(', ') || '-'],
    ['Redis used_memory start → end', `${mb(r.memoryStart)} → ${mb(r.memoryEnd)}`],
    ['Redis keys start → end', `${r.keysStart} → ${r.keysEnd}`],
    ['wall time', `${(r.wallMs / 1000).toFixed(1)} s${r.timedOutRun ? ' (stopped by the watchdog)' : ''}`],
    ['verdict', r.ok ? 'PASS' : 'FAIL'],
  ]
  const lines = ['| check | result |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)]
  const details = [...r.mismatches.slice(0, 20), ...r.neverRan.slice(0, 10).map((k) => `${k} never ran`), ...r.leftAfterKill.slice(0, 10),
    ...r.leftAtEnd.slice(0, 10).map((p) => `left at end: ${p}`)]
  return [...lines, ...details.map((m) => `  ${m}`)].join('\n')
}
