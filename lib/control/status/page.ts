// GET /: one self-contained HTML page (inline style and script, nothing fetched but /jobs) that
// lists the in-flight jobs with their ages and the counts of /stats, refreshes itself, and cancels
// a job when given the token.

import type { InFlightRecord } from '../registry.js'
import type { JobStats } from '../stats.js'

/** The page, with the jobs and counts known now so it shows them before its first refresh. */
export function statusPage(jobs: readonly InFlightRecord[], stats: JobStats, nonce: string, refreshMs: number): string {
  // Inside <script type="application/json"> only "</script" could end the block early: escape every "<".
  const initial = JSON.stringify({ count: jobs.length, jobs, stats }).replaceAll('<', '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>forkpool: jobs in flight</title>
<style nonce="${nonce}">
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; white-space: nowrap; }
td.where { font-family: monospace; white-space: normal; word-break: break-all; }
tr.stopping td { color: #999; }
#message { min-height: 1.4em; color: #a40; }
</style>
</head>
<body data-refresh="${refreshMs}">
<h1>Jobs in flight: <span id="count">0</span></h1>
<p id="counts"></p>
<p><label>Token for cancelling: <input id="token" type="password" autocomplete="off"></label></p>
<p id="message" role="status"></p>
<table>
<thead><tr><th>Ident</th><th>Name</th><th>Label</th><th>State</th><th>PID</th><th>Host</th><th>Age</th><th>Where</th><th></th></tr></thead>
<tbody id="jobs"></tbody>
</table>
<noscript><p>This page refreshes with JavaScript; without it see <a href="ps">/ps</a>.</p></noscript>
<script type="application/json" id="initial">${initial}</script>
<script nonce="${nonce}">
${PAGE_SCRIPT}
</script>
</body>
</html>
`
}

// Plain browser JavaScript. Rows are keyed and updated in place, so a button stays put between
// refreshes; every value reaches the page through textContent, never as HTML.
const PAGE_SCRIPT = String.raw`'use strict'
const refreshMs = Number(document.body.dataset.refresh)
const tbody = document.getElementById('jobs')
const tokenInput = document.getElementById('token')
const rows = new Map()
const initial = JSON.parse(document.getElementById('initial').textContent)
let jobs = initial.jobs
let stats = initial.stats
let fetchedAt = Date.now()
// The target of the last accepted cancel, until its job has left the list.
let cancelling = null

if (location.hash.startsWith('#token=')) {
  tokenInput.value = decodeURIComponent(location.hash.slice(7))
  history.replaceState(null, '', location.pathname)
}
tokenInput.addEventListener('input', render)

function say(text) { document.getElementById('message').textContent = text }

function age(ms) {
  const s = Math.floor(ms / 1000)
  if (s < 60) return s + 's'
  if (s < 3600) return Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's'
  return Math.floor(s / 3600) + 'h' + String(Math.floor(s / 60) % 60).padStart(2, '0') + 'm'
}

function targetOf(job) { return job.name === null ? job.ident : job.name }

function keyOf(job) { return job.name === null ? 'ident:' + job.ident : 'name:' + job.name + ':' + job.ident }

function rowFor(job) {
  const key = keyOf(job)
  let tr = rows.get(key)
  if (tr === undefined) {
    tr = document.createElement('tr')
    for (let i = 0; i < 8; i++) tr.appendChild(document.createElement('td'))
    tr.children[7].className = 'where'
    const cell = document.createElement('td')
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = 'Cancel'
    button.addEventListener('click', () => cancel(tr.dataset.target, button))
    cell.appendChild(button)
    tr.appendChild(cell)
    rows.set(key, tr)
  }
  return tr
}

function render() {
  const canCancel = tokenInput.value !== ''
  const seen = new Set()
  const since = Date.now() - fetchedAt
  for (const job of jobs) {
    const tr = rowFor(job)
    seen.add(keyOf(job))
    tr.className = job.state
    tr.dataset.ident = job.ident
    tr.dataset.target = targetOf(job)
    const pid = job.pid !== null ? String(job.pid) : job.threadId !== null ? 'thread ' + job.threadId : '-'
    const cells = [job.ident, job.name ?? '', job.label ?? '', job.state, pid, job.host ?? '-', age(job.elapsedMs + since), job.where]
    cells.forEach((text, i) => { if (tr.children[i].textContent !== text) tr.children[i].textContent = text })
    tr.lastChild.firstChild.hidden = !canCancel
    if (tr.parentNode !== tbody) tbody.appendChild(tr)
  }
  for (const [key, tr] of rows) if (!seen.has(key)) { tr.remove(); rows.delete(key) }
  document.getElementById('count').textContent = String(jobs.length)
  document.getElementById('counts').textContent = 'Queued ' + stats.queued + ', running ' + stats.running + '; finished ' + stats.finished +
    ': ' + stats.failed + ' failed, ' + stats.timedOut + ' timed out, ' + stats.cancelled + ' cancelled'
  if (cancelling !== null && !jobs.some((job) => targetOf(job) === cancelling)) {
    say('Cancelled ' + cancelling + ': it has ended')
    cancelling = null
  }
}

async function refresh() {
  try {
    const [jobsResponse, statsResponse] = await Promise.all([fetch('jobs', { cache: 'no-store' }), fetch('stats', { cache: 'no-store' })])
    for (const response of [jobsResponse, statsResponse]) if (!response.ok) throw new Error('HTTP ' + response.status)
    jobs = (await jobsResponse.json()).jobs
    stats = await statsResponse.json()
    fetchedAt = Date.now()
  } catch (error) {
    say('Cannot reach the manager: ' + error.message)
  }
  render()
}

async function cancel(target, button) {
  button.disabled = true
  try {
    const response = await fetch('jobs/' + encodeURIComponent(target) + '/cancel', {
      method: 'POST',
      headers: { authorization: 'Bearer ' + tokenInput.value },
    })
    cancelling = response.status === 202 ? target : null
    // A refusal says why (no token on the server, a wrong one): the server's own words.
    const why = response.status === 202 ? '' : ((await response.json().catch(() => ({}))).error ?? '')
    say(response.status === 202
      ? 'Cancelling ' + target
      : 'Cancelling ' + target + ' failed: HTTP ' + response.status + (why === '' ? '' : ': ' + why))
  } catch (error) {
    say('Cancelling ' + target + ' failed: ' + error.message)
  }
  button.disabled = false
  refresh()
}

render()
setInterval(refresh, refreshMs)
setInterval(render, 1000)
`
