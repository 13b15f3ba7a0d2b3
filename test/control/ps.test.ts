import { hostname } from 'node:os'
import t from 'tap'
import { formatDuration, formatPs } from '../../dist/lib/control/ps.js'
import type { InFlightRecord } from '../../dist/lib/index.js'

const record = (over: Partial<InFlightRecord>): InFlightRecord => ({
  ident: 'x', name: null, label: null, pid: 1234, threadId: null, isolation: 'command', state: 'running', where: 'true',
  queuedAt: 0, startedAt: 0, elapsedMs: 0, timeoutAt: null, uses: 1, host: hostname(), ...over,
})

t.test('durations are short', async (t) => {
  t.equal(formatDuration(0), '0ms')
  t.equal(formatDuration(999.7), '999ms')
  t.equal(formatDuration(4250), '4.2s')
  t.equal(formatDuration(42_000), '42s')
  t.equal(formatDuration(12 * 60_000 + 5000), '12m05s')
  t.equal(formatDuration(3 * 3_600_000 + 12 * 60_000), '3h12m')
  t.equal(formatDuration(2 * 86_400_000 + 3 * 3_600_000), '2d03h')
})

t.test('every line fits 80 columns, however long or strange the values', async (t) => {
  const now = 1_000_000
  const table = formatPs([
    record({ ident: 'i'.repeat(200), name: 'n'.repeat(50), where: 'sleep ' + '9'.repeat(300), elapsedMs: 400 * 86_400_000 }),
    record({ ident: 'line\nbreak\ttab', isolation: 'process', where: '/very/long/path/'.repeat(20) + 'worker.js', timeoutAt: now - 5 }),
    record({ ident: 'thr', pid: null, threadId: 7, isolation: 'thread', where: 'w.js', timeoutAt: now + 61_000 }),
    record({ ident: 'q', pid: null, state: 'queued', startedAt: null }),
  ], now)
  const lines = table.trimEnd().split('\n')
  for (const line of lines) t.ok(line.length <= 80, `${line.length}: ${line}`)
  t.match(lines[1], /^1234 +running +400d00h +- +i{19}… +sleep 9+…$/, 'long values are cut with an ellipsis; a command keeps its start')
  t.match(lines[2], /"line\\nbreak\\ttab"/, 'control characters cannot break the table (the ident is JSON-quoted)')
  t.match(lines[2], / 0ms /, 'an overdue timeout shows as 0')
  t.match(lines[2], /…\S*\/path\/worker\.js$/, 'a worker file keeps its end')
  t.match(lines[3], /^T7 +running +0ms +1m01s +thr +w\.js$/)
  t.match(lines[4], /^- +queued /)
  t.equal(table.split('\n').length, 6, 'ends with one newline')
})

t.test('a HOST column when a job runs on another machine; none while every job is here', async (t) => {
  const local = formatPs([record({}), record({ state: 'queued', pid: null, host: null })])
  t.match(local, /^PID +STATE +ELAPSED/, 'all on this machine (or queued here): no HOST column')
  const table = formatPs([
    record({ ident: 'here' }),
    record({ ident: 'there', pid: 77, host: 'box-3', where: 'sleep 5' }),
    record({ ident: 'waiting', pid: null, host: null, state: 'queued' }),
    record({
      ident: 'long', pid: 78, host: 'a-very-long-agent-name.example.com\t', isolation: 'process',
      where: '/srv/app/' + 'w'.repeat(100) + '.js',
    }),
  ])
  const lines = table.trimEnd().split('\n')
  t.match(lines[0], /^PID +HOST +STATE +ELAPSED +TIMEOUT +IDENT\/NAME +WHERE$/)
  t.match(lines[1], new RegExp(`^1234 +${hostname().slice(0, 11)}\\S* +running +0ms +- +here +true$`))
  t.match(lines[2], /^77 +box-3 +running +0ms +- +there +sleep 5$/)
  t.match(lines[3], /^- +- +queued /, 'a job waiting for an agent has no host yet')
  t.match(lines[4], /^78 +a-very-long… +running /, 'a long name is cut, a TAB made printable')
  for (const line of lines) t.ok(line.length <= 80, `${line.length}: ${line}`)
})

t.test('IDENT/NAME reads without doubt when an ident or a name holds a "/", a quote or white space', async (t) => {
  const lines = formatPs([
    record({ ident: 'thr', name: 'wait/one' }),
    record({ ident: 'thr/wait', name: 'one' }),
    record({ ident: 'report 1' }),
    record({ ident: 'sync-2', name: 'nightly-sync' }),
    record({ ident: 'say "hi"', name: 'x' }),
  ]).trimEnd().split('\n')
  t.match(lines[1], / thr\/"wait\/one" /)
  t.match(lines[2], / "thr\/wait"\/one /, 'not the same as the line above')
  t.match(lines[3], / "report 1" /)
  t.match(lines[4], / sync-2\/nightly-sync /, 'plain ones stay as they are')
  t.match(lines[5], / "say \\"hi\\""\/x /)
})
