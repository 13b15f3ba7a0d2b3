// pm.ps(): the in-flight jobs as a plain-text table, after Coro::Debug's ps, in 80 columns.

import { thisHost } from '../util/host.js'
import type { InFlightRecord } from './registry.js'

const WIDTH = 80
interface Column { title: string; width: number }
const COLUMNS: readonly Column[] = [
  { title: 'PID', width: 8 },
  { title: 'STATE', width: 8 },
  { title: 'ELAPSED', width: 7 },
  { title: 'TIMEOUT', width: 7 },
  { title: 'IDENT/NAME', width: 20 },
]
/** With jobs on other machines: HOST after PID, paid for by a shorter IDENT/NAME. */
const HOST_COLUMNS: readonly Column[] = [COLUMNS[0]!, { title: 'HOST', width: 12 }, ...COLUMNS.slice(1, 4),
  { title: 'IDENT/NAME', width: 16 }]

/**
 * One line per job: PID (or `T<threadId>` for a thread, `-` while unknown), STATE, ELAPSED,
 * TIMEOUT (time left, `-` for none), IDENT/NAME (`ident/name`, each JSON-quoted when it holds a
 * '/', a '"' or white space) and WHERE (command line or worker file),
 * every line at most 80 characters. When a job runs on another machine (a backend's agent),
 * a HOST column follows PID: the machine's name, `-` while the job waits for one.
 */
export function formatPs(records: readonly InFlightRecord[], now = Date.now()): string {
  const elsewhere = records.some((r) => r.host !== null && r.host !== thisHost)
  const columns = elsewhere ? HOST_COLUMNS : COLUMNS
  const whereWidth = WIDTH - columns.reduce((sum, column) => sum + column.width + 1, 0)
  const row = (cells: string[], where: string): string => {
    const fixed = cells.map((cell, i) => fitStart(cell, columns[i]!.width).padEnd(columns[i]!.width))
    return [...fixed, where].join(' ').trimEnd()
  }
  const lines = [row(columns.map((c) => c.title), 'WHERE')]
  for (const r of records) {
    const pid = r.pid !== null ? String(r.pid) : r.threadId !== null ? `T${r.threadId}` : '-'
    const timeout = r.timeoutAt === null ? '-' : formatDuration(Math.max(0, r.timeoutAt - now))
    const who = r.name === null ? unambiguous(r.ident) : `${unambiguous(r.ident)}/${unambiguous(r.name)}`
    // A command line reads from its start; a worker file's path from its end.
    const where = r.isolation === 'command' ? fitStart(printable(r.where), whereWidth) : fitEnd(printable(r.where), whereWidth)
    const host = elsewhere ? [printable(r.host ?? '-')] : []
    lines.push(row([pid, ...host, r.state, formatDuration(r.elapsedMs), timeout, printable(who)], where))
  }
  return lines.join('\n') + '\n'
}

/** A short duration: 850ms, 4.2s, 42s, 12m05s, 3h12m, 2d03h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.floor(ms)}ms`
  const s = Math.floor(ms / 1000)
  if (s < 10) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`
  if (s < 60) return `${s}s`
  const two = (n: number): string => String(n).padStart(2, '0')
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`
  return `${Math.floor(s / 86_400)}d${two(Math.floor(s / 3600) % 24)}h`
}

/**
 * An ident or a name as it reads in IDENT/NAME without doubt: as it is, or JSON-quoted when it holds
 * a '/', a '"', white space or a control character (`thr/"wait/one"`, `"report 1"`).
 */
function unambiguous(text: string): string {
  // eslint-disable-next-line no-control-regex -- a control character is what makes a name ambiguous here
  return /^[^\s"/\u0000-\u001f\u007f-\u009f]+$/.test(text) ? text : JSON.stringify(text)
}

/** Control characters would break the table's lines. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}

function fitStart(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + '…'
}

function fitEnd(text: string, width: number): string {
  return text.length <= width ? text : '…' + text.slice(text.length - width + 1)
}
