// The fault-injection soak: a long mixed batch through one manager (commands, fresh processes,
// reused processes, threads), each job's fault chosen at
// random (seeded, so a failing seed can be replayed), each result checked against what its fault
// predicts, and the machine checked afterwards for anything left behind.
//
//   node dist/bench/soak.js [--jobs 10000] [--seeds 1,2,3] [--max-procs 8] [--kinds command,process,thread] [--faults ok,alloc,…]
//                           [--pool-concurrency 3]   (reused processes run that many jobs at once)
//                           [--kill-spawner-every 500] (SIGKILL a random spawner process about once per that many jobs; 0: never)
//                           [--timeout 800] (the timeout of the jobs not meant to hang; default 60000)
//                           [--load 2] (that many busy-looping processes beside the run, as other work on the machine)
//                           [--stall 1000] (block the manager's event loop that long, again and again, as a loaded
//                            machine or a busy manager does: a job may end while the loop cannot hear it, past its timeout)
//   node dist/bench/soak.js --remote [--jobs 10000] [--seeds 1,2,3] [--outage-s 30]
//                           (bench/remote-soak.ts: jobs on 3 agents through Redis, with agents and Redis killed meanwhile)

import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { readlinkSync } from 'node:fs'
import { ForkManager, type JobResult, type JobSpec } from '../lib/index.js'
import { processChannelServer } from '../lib/runners/process/channel-server.js'
import { processSpawners } from '../lib/runners/spawner/spawners.js'
import { formatRemoteReport, remoteSoak } from './remote-soak.js'
import { seededRandom } from './support.js'

const FAULTS = new URL('../workers/faults.js', import.meta.url)
const ROOT_DIR = new URL('../../', import.meta.url).pathname
// Jobs that hang get a short timeout; every other job a long one, so a loaded machine's slow
// start-up is never mistaken for a hang.
const HANG_TIMEOUT_MS = 300
const TIMEOUT_MS = 60_000
const KILL_GRACE_MS = 400

/** What one job was asked to do, and the check its result must pass (a mismatch says why). */
interface Plan {
  kind: 'command' | 'process' | 'process-pool' | 'thread'
  fault: string
  job: JobSpec
  /** Cancel the job this many ms after it starts. */
  cancelAfterMs?: number
  /** This job's timeout, when it is meant to hang. */
  timeoutMs?: number
  check(r: JobResult): string | null
}

export interface SoakReport {
  seed: number
  jobs: number
  wallMs: number
  /** Jobs per fault, as "kind/fault". */
  faults: Record<string, number>
  mismatches: string[]
  /**
   * With shared pool processes: jobs that ended, as they should, with a WorkerExitError from a
   * neighbour's crash or kill instead of what their own fault predicts.
   */
  neighbourFaults: number
  /**
   * Spawner processes SIGKILLed during the run, and the jobs (commands, fresh worker processes) that ended, as they should, with a
   * SpawnerExitError from it.
   */
  spawnersKilled: number
  spawnerLosses: number
  settledTwice: number
  unsettled: number
  countsMatch: boolean
  leftProcesses: number[]
  zombies: number[]
  rssStartMb: number
  rssEndMb: number
  fdsStart: number
  fdsEnd: number
  /** What the fds opened during the run point at. */
  fdsNew: string[]
  /**
   * Of those, fds of JavaScript module files: held by worker threads that were terminated while
   * reading them. Node's own leak (bench/repro/thread-fd-leak.mjs, no pool library); reported
   * apart, and not counted against the fd check.
   */
  fdsModuleFiles: number
  /** The files most of them point at, with how many (the top five). */
  fdsModuleFileNames: string[]
  ok: boolean
}

const expect = (cond: boolean, what: string, r: JobResult): string | null =>
  cond
    ? null
    : `${what}: got exitCode ${r.exitCode}, signal ${r.signal}, timedOut ${r.timedOut}, cancelled ${r.cancelled}, error ` +
      `${r.error?.name}: ${r.error?.message?.slice(0, 80)}`

type Kind = Plan['kind']
const KINDS: readonly Kind[] = ['command', 'process', 'process-pool', 'thread']

function planJob(rand: () => number, runId: string, kinds: readonly Kind[]): Plan {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const kind = pick(kinds)
  const env = { FORKPOOL_SOAK: runId }
  const code = 1 + Math.floor(rand() * 200)
  if (kind === 'command') {
    const fault = pick(['ok', 'exit', 'kill', 'hang', 'output', 'cancel'] as const)
    const sh = (script: string, extra: Partial<JobSpec> = {}): JobSpec => ({ command: 'sh', args: ['-c', script], env, ...extra })
    switch (fault) {
      case 'ok': return { kind, fault, job: sh('true'), check: (r) => expect(r.exitCode === 0 && !r.error, 'succeeds', r) }
      case 'exit': return { kind, fault, job: sh(`exit ${code}`), check: (r) => expect(r.exitCode === code, `exits ${code}`, r) }
      case 'kill': {
        const signal = pick(['KILL', 'SEGV'] as const)
        return {
          kind, fault, job: sh(`kill -${signal} $$`),
          check: (r) => expect(r.signal === `SIG${signal}` && r.exitCode === null, `dies by SIG${signal}`, r)
        }
      }
      case 'hang': return {
        kind, fault, job: sh('sleep 60 & wait'), timeoutMs: HANG_TIMEOUT_MS,
        check: (r) => expect(r.timedOut && r.signal !== null, 'times out and is killed', r)
      }
      case 'output': {
        const bytes = 1_000_000 + Math.floor(rand() * 3_000_000)
        return {
          kind, fault, job: sh(`head -c ${bytes} /dev/zero`, { capture: true }),
          check: (r) => expect(r.exitCode === 0 && r.stdout?.length === bytes, `prints ${bytes} bytes`, r)
        }
      }
      case 'cancel': return {
        kind, fault, job: sh('sleep 60 & wait'), cancelAfterMs: rand() * 100,
        check: (r) => expect(r.cancelled && !r.timedOut, 'is cancelled', r)
      }
    }
  }
  const inProcess = kind === 'process' || kind === 'process-pool'
  const faults = inProcess
    ? (['ok', 'finish', 'throw', 'exit', 'kill', 'hang', 'hang-deaf', 'uncloneable', 'alloc', 'cancel'] as const)
    : (['ok', 'finish', 'throw', 'exit', 'hang', 'hang-deaf', 'uncloneable', 'alloc', 'cancel'] as const)
  const fault = pick(faults)
  const value = { n: code, at: new Date(code), tags: new Set(['a', 'b']) }
  // Processes carry the run's marker in their environment; threads share this process's.
  const base = inProcess ? { worker: FAULTS, isolation: kind, env } : { worker: FAULTS, isolation: 'thread' as const }
  const job = (data: object, extra: object = {}): JobSpec => ({ ...base, data, ...extra })
  switch (fault) {
    case 'ok': return {
      kind, fault, job: job({ mode: 'ok', value }),
      check: (r) => expect(r.exitCode === 0 && (r.data as typeof value)?.tags?.has('b') === true, 'returns its data', r)
    }
    case 'finish': return {
      kind, fault, job: job({ mode: 'finish', code, value }),
      check: (r) => expect(r.exitCode === code && (r.data as typeof value)?.n === code, `finishes with ${code}`, r)
    }
    case 'throw': return {
      kind, fault, job: job({ mode: 'throw' }), check: (r) => expect(r.exitCode === 1 && r.error?.name === 'RangeError', 'throws', r)
    }
    case 'exit': return {
      kind, fault, job: job({ mode: 'exit', code }),
      check: (r) => expect(r.exitCode === code && r.data === undefined, `process.exit(${code})`, r)
    }
    case 'kill': {
      const signal = pick(['SIGKILL', 'SIGSEGV'] as const)
      return { kind, fault, job: job({ mode: 'kill', signal }), check: (r) => expect(r.signal === signal, `dies by ${signal}`, r) }
    }
    case 'hang':
      // Listens to ctx.signal: ends with an AbortError, or by the TERM itself if it was still starting.
      return {
        kind, fault, job: job({ mode: 'hang' }), timeoutMs: HANG_TIMEOUT_MS,
        check: (r) => expect(r.timedOut && (r.error?.name === 'AbortError' || r.signal !== null), 'times out', r)
      }
    case 'hang-deaf':
      // Killed; or, if the timeout came while the worker file was still loading, never begun.
      return {
        kind, fault, job: job({ mode: 'hang-deaf' }), timeoutMs: HANG_TIMEOUT_MS,
        check: (r) => expect(r.timedOut && (r.exitCode === null || r.error?.name === 'AbortError'), 'times out and is stopped', r)
      }
    case 'uncloneable': return {
      kind, fault, job: job({ mode: 'uncloneable' }),
      check: (r) => expect(r.exitCode === 1 && r.error?.name === 'DataCloneError', 'fails to send its result', r)
    }
    case 'alloc':
      return inProcess
        ? {
            kind,
            fault,
            job: job({ mode: 'alloc' }, { execArgv: ['--max-old-space-size=24'] }),
            check: (r) => expect(
              r.signal === 'SIGABRT' || r.signal === 'SIGTRAP' || (r.exitCode !== null && r.exitCode !== 0), 'runs out of memory', r),
          }
        : {
            kind, fault, job: job({ mode: 'alloc' }, { resourceLimits: { maxOldGenerationSizeMb: 24 } }),
            check: (r) => expect(r.error?.code === 'ERR_WORKER_OUT_OF_MEMORY', 'runs out of memory', r),
          }
    case 'cancel': return {
      kind, fault, job: job({ mode: 'hang' }), cancelAfterMs: rand() * 100,
      check: (r) => expect(r.cancelled && !r.timedOut, 'is cancelled', r)
    }
  }
}

/** Pids of live processes started by this run: every job carries FORKPOOL_SOAK=runId in its environment. */
function processesOfRun(runId: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`FORKPOOL_SOAK=${runId}`)) found.push(Number(entry))
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found
}

function zombieChildren(): number[] {
  const zombies: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (state === 'Z' && Number(ppid) === process.pid) zombies.push(Number(entry))
    } catch {
      // Gone meanwhile.
    }
  }
  return zombies
}

/** How far above their start open fds (module files apart) and RSS may end: what the soak calls nothing left behind. */
export const LEFT_BEHIND = { fds: 4, rssMb: 150 } as const

const rssMb = (): number => Math.round(process.memoryUsage().rss / 1048576)
const fdTargets = (): Map<string, string> => {
  const out = new Map<string, string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.set(fd, readlinkSync(`/proc/self/fd/${fd}`))
    } catch {
      // The directory's own fd, closed by now.
    }
  }
  return out
}

export interface SoakOptions {
  seed: number
  jobs: number
  maxProcs?: number
  /** Only these kinds of job (default: all). */
  kinds?: readonly Kind[]
  /** Only these faults (default: all); a plan drawn with another fault is drawn again. */
  faults?: readonly string[]
  /** processPool.concurrentTasksPerWorker: reused processes run this many jobs at once (default 1). */
  poolConcurrency?: number
  /** SIGKILL a random spawner process about once per this many job starts (its own seeded draw); default 0: never. */
  killSpawnerEvery?: number
  /** The timeout of the jobs that are not meant to hang (default TIMEOUT_MS). */
  timeoutMs?: number
  /** Busy-looping processes to run beside the run (default 0). */
  load?: number
  /** Block the manager's event loop this many ms, with as long between blocks (default 0: never). */
  stallMs?: number
}

/** What `load` and `stallMs` ask for, started; stop() ends it (once the busy processes are reaped: they are no zombies of the run). */
function startLoad(load: number, stallMs: number): { stop(): Promise<void> } {
  const busy = Array.from({ length: load }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }))
  const pause = new Int32Array(new SharedArrayBuffer(4))
  // One block per timer turn: the jobs that end meanwhile are heard only in the turn after it, when
  // Node runs the due timers (their timeouts among them) before the I/O that says they ended.
  const stalls = stallMs > 0 ? setInterval(() => Atomics.wait(pause, 0, 0, stallMs), stallMs * 2) : undefined
  return {
    async stop() {
      clearInterval(stalls)
      await Promise.all(
        busy.map((child) => {
          const exited = new Promise((resolve) => child.on('exit', resolve))
          child.kill('SIGKILL')
          return exited
        })
      )
    },
  }
}

/** A job of a shared process ended by another job's crash, or by the kill that stopped another job. */
const neighbourFault = (r: JobResult): boolean =>
  r.kind === 'process-pool' && r.error?.name === 'WorkerExitError' && / and \d+ more exited | to stop job /.test(r.error.message)

/** Runs `perPool` no-op jobs at once in each thread pool the plans will use, in a manager of its own (see soak()). */
async function warmThreadPools(plans: Plan[], perPool: number): Promise<void> {
  const setups = new Map<string, JobSpec>()
  for (const { kind, job } of plans) {
    if (kind !== 'thread' || !('worker' in job)) continue
    setups.set(JSON.stringify(job.resourceLimits ?? null), { ...job, data: { mode: 'ok', value: 0 } })
  }
  const pm = new ForkManager({ maxProcs: perPool })
  try {
    for (const job of setups.values()) {
      const results = await Promise.all(Array.from({ length: perPool }, async (_, i) => (await pm.start(`warm-${i}`, job)).result))
      const failed = results.find((r) => !r.ok)
      if (failed !== undefined) throw new Error(`the soak's warm-up job failed: ${JSON.stringify(failed.error)}`)
    }
  } finally {
    await pm.close()
  }
}

export async function soak(options: SoakOptions): Promise<SoakReport> {
  const { seed, jobs } = options
  const rand = seededRandom(seed)
  const runId = `${process.pid}-${seed}-${Date.now()}`
  const plans: Plan[] = []
  while (plans.length < jobs) {
    const plan = planJob(rand, runId, options.kinds ?? KINDS)
    if (!options.faults || options.faults.includes(plan.fault)) plans.push(plan)
  }
  const poolConcurrency = options.poolConcurrency ?? 1
  const pm = new ForkManager({
    maxProcs: options.maxProcs ?? 8, timeout: options.timeoutMs ?? TIMEOUT_MS, killGrace: KILL_GRACE_MS, processPool: {
      concurrentTasksPerWorker: poolConcurrency,
    },
  })
  // Thread pools cost this process memory once, and keep it after they close (the freed memory
  // stays with the C allocator): a pool per setting the run's thread jobs use, up to maxProcs
  // threads each. A manager of its own runs them at that size and closes before RSS is read, so
  // the one-time cost is in both readings, the pools are closed at both, and what grows is what
  // the run leaks. (Without it, Node 24's pools took a 150-job run about 150-190 MB above its
  // start, against about 60 MB on Node 20, and past the check's 150 MB.)
  await warmThreadPools(plans, options.maxProcs ?? 8)
  const finishes = new Map<string, number>()
  let started = 0
  pm.runOnStart(() => started++)
  pm.runOnFinish((r) => finishes.set(r.ident, (finishes.get(r.ident) ?? 0) + 1))
  // The spawners are the process's for its whole life, not the run's: started before the fds are
  // counted, their channels are in both counts (a native forker holds two, its stdin and its
  // reports; replacing a killed one keeps the count), and what the run opens is what it leaks.
  // Commands and fresh worker processes start on them; the workers' channels come to the
  // process's one channel server, whose listening socket is the process's too.
  if (options.kinds === undefined || options.kinds.includes('command') || options.kinds.includes('process')) await processSpawners().warm()
  if (options.kinds === undefined || options.kinds.includes('process')) processChannelServer()
  const rssStartMb = rssMb()
  const fdsAtStart = fdTargets()
  const begun = performance.now()
  const load = startLoad(options.load ?? 0, options.stallMs ?? 0)

  // Each result is checked as it arrives and then dropped: holding 10,000 results (megabytes of
  // captured output among them) would be the soak's own leak, not the manager's.
  const mismatches: string[] = []
  let neighbourFaults = 0
  let spawnerLosses = 0
  let spawnersKilled = 0
  // Its own stream of draws, so that a seed plans the same jobs with or without spawner kills.
  const killDraw = seededRandom(seed + 1_000_003)
  const killSpawnerEvery = options.killSpawnerEvery ?? 0
  const faults: Record<string, number> = {}
  for (const [i, plan] of plans.entries()) {
    const name = `${plan.kind}/${plan.fault}`
    faults[name] = (faults[name] ?? 0) + 1
    const handle = await pm.start(`job-${i}`, plan.job, plan.timeoutMs === undefined ? {} : { timeout: plan.timeoutMs })
    if (plan.cancelAfterMs !== undefined) setTimeout(() => handle.cancel('soak'), plan.cancelAfterMs)
    if (killSpawnerEvery > 0 && killDraw() * killSpawnerEvery < 1) {
      const pids = processSpawners().pids
      const victim = pids[Math.floor(killDraw() * pids.length)]
      if (victim !== undefined) {
        process.kill(victim, 'SIGKILL')
        spawnersKilled++
      }
    }
    void handle.result.then((r) => {
      const why = plan.check(r)
      if (why && spawnersKilled > 0 && r.error?.name === 'SpawnerExitError') spawnerLosses++
      else if (why && poolConcurrency > 1 && neighbourFault(r)) neighbourFaults++
      else if (why) mismatches.push(`job-${i} (${name}) should have: ${why}`)
    })
  }
  await pm.close()
  await load.stop()
  const wallMs = Math.round(performance.now() - begun)
  const counts = [...finishes.values()]
  // Give the kernel a moment to finish reaping what the last kills ended.
  let leftProcesses = processesOfRun(runId)
  for (let i = 0; i < 20 && leftProcesses.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    leftProcesses = processesOfRun(runId)
  }
  const zombies = zombieChildren()
  ;(globalThis as { gc?: () => void }).gc?.()
  const fdsAtEnd = fdTargets()
  const report: SoakReport = {
    seed,
    jobs,
    wallMs,
    faults,
    mismatches,
    neighbourFaults,
    spawnersKilled,
    spawnerLosses,
    settledTwice: counts.filter((n) => n > 1).length,
    unsettled: jobs - finishes.size,
    countsMatch: started === jobs && finishes.size === jobs && pm.runningCount === 0,
    leftProcesses,
    zombies,
    rssStartMb,
    rssEndMb: rssMb(),
    fdsStart: fdsAtStart.size,
    fdsEnd: 0,
    fdsNew: [],
    fdsModuleFiles: 0,
    fdsModuleFileNames: [],
    ok: false,
  }
  report.fdsEnd = fdsAtEnd.size
  const opened = [...fdsAtEnd].filter(([fd, target]) => fdsAtStart.get(fd) !== target)
  report.fdsNew = opened.map(([fd, target]) => `${fd} → ${target}`)
  const moduleFiles = opened.filter(([, target]) => /\.[cm]?js$/.test(target))
  report.fdsModuleFiles = moduleFiles.length
  const perFile = new Map<string, number>()
  for (const [, target] of moduleFiles) perFile.set(target, (perFile.get(target) ?? 0) + 1)
  report.fdsModuleFileNames = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([target, n]) => `${target.replace(ROOT_DIR, '')} ` +
    `×${n}`)
  report.ok = mismatches.length === 0 && report.settledTwice === 0 && report.unsettled === 0 && report.countsMatch &&
    leftProcesses.length === 0 && zombies.length === 0 && report.fdsEnd - report.fdsModuleFiles <= report.fdsStart + LEFT_BEHIND.fds &&
    report.rssEndMb <= report.rssStartMb + LEFT_BEHIND.rssMb
  return report
}

export function formatReport(report: SoakReport): string {
  const newFds = report.fdsNew.length ? ` (new: ${report.fdsNew.filter((f) => !/\.[cm]?js$/.test(f)).join(', ')})` : ''
  const moduleFileNames = report.fdsModuleFiles > 0 ? ` (${report.fdsModuleFileNames.join(', ')})` : ''
  const rows: Array<[string, string]> = [
    ['seed', String(report.seed)],
    ['jobs', String(report.jobs)],
    ['faults', Object.entries(report.faults).sort().map(([k, v]) => `${k} ${v}`).join(', ')],
    ['settled exactly once',
      report.settledTwice === 0 && report.unsettled === 0 ? 'yes' : `no: ${report.settledTwice} twice, ${report.unsettled} never`],
    ['results as their faults predict', report.mismatches.length === 0 ? 'yes' : `no: ${report.mismatches.length} mismatches`],
    ['of them, ended by a neighbour in a shared process', String(report.neighbourFaults)],
    ['spawner processes killed / jobs they took with them', `${report.spawnersKilled} / ${report.spawnerLosses}`],
    ['manager counts match', report.countsMatch ? 'yes' : 'no'],
    ['processes left', String(report.leftProcesses.length)],
    ['zombies', String(report.zombies.length)],
    ['parent RSS start → end', `${report.rssStartMb} → ${report.rssEndMb} MB`],
    ['open fds start → end, module files apart', `${report.fdsStart} → ${report.fdsEnd - report.fdsModuleFiles}${newFds}`],
    ['module-file fds held by terminated threads (upstream leak)', `${report.fdsModuleFiles}${moduleFileNames}`],
    ['wall time', `${(report.wallMs / 1000).toFixed(1)} s`],
    ['verdict', report.ok ? 'PASS' : 'FAIL'],
  ]
  const lines = ['| check | result |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)]
  return [...lines, ...report.mismatches.slice(0, 20).map((m) => `  ${m}`)].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--remote')) {
  // The remote soak: its own options, a table per seed.
  const { values } = parseArgs({
    options: {
      remote: { type: 'boolean' },
      jobs: { type: 'string', default: '10000' },
      seeds: { type: 'string', default: '1,2,3' },
      'outage-s': { type: 'string', default: '30' },
    },
  })
  let failed = false
  for (const seed of values.seeds.split(',').map(Number)) {
    const report = await remoteSoak({ seed, jobs: Number(values.jobs), outageS: Number(values['outage-s']) })
    console.log(`\n## remote soak, seed ${seed}\n\n${formatRemoteReport(report)}`)
    failed ||= !report.ok
  }
  process.exitCode = failed ? 1 : 0
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '10000' },
      seeds: { type: 'string', default: '1,2,3' },
      'max-procs': { type: 'string', default: '8' },
      kinds: { type: 'string' },
      faults: { type: 'string' },
      'pool-concurrency': { type: 'string', default: '1' },
      'kill-spawner-every': { type: 'string', default: '500' },
      timeout: { type: 'string', default: String(TIMEOUT_MS) },
      load: { type: 'string', default: '0' },
      stall: { type: 'string', default: '0' },
    },
  })
  const kinds = values.kinds?.split(',') as Kind[] | undefined
  const faults = values.faults?.split(',')
  let failed = false
  for (const seed of values.seeds.split(',').map(Number)) {
    const report = await soak({
      seed,
      jobs: Number(values.jobs),
      maxProcs: Number(values['max-procs']),
      poolConcurrency: Number(values['pool-concurrency']),
      killSpawnerEvery: Number(values['kill-spawner-every']),
      timeoutMs: Number(values.timeout),
      load: Number(values.load),
      stallMs: Number(values.stall),
      ...(kinds && { kinds }),
      ...(faults && { faults }),
    })
    console.log(`\n## soak, seed ${seed}\n\n${formatReport(report)}`)
    failed ||= !report.ok
  }
  process.exitCode = failed ? 1 : 0
}
