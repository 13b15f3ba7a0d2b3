// Renders suite summaries: markdown tables for the terminal and the READMEs, and an SVG bar chart.

import { formatFigure, median, type SuiteSummary } from './harness.js'

export interface RunInfo {
  date: string
  node: string
  cores: number
  cpu: string
}

/** The contender forkpool is best compared with: the best of the others (peers and baselines). */
export function bestOther(suite: SuiteSummary) {
  const others = suite.contenders.filter((c) => !c.name.startsWith('forkpool'))
  if (others.length === 0) return undefined
  const pick = suite.better === 'lower' ? Math.min : Math.max
  const best = pick(...others.map((c) => c.ratio))
  return others.find((c) => c.ratio === best)!
}

/** One line saying where forkpool stands against the best other contender, as a ratio. */
export function standing(suite: SuiteSummary): string {
  const best = bestOther(suite)
  const forkpool = suite.contenders[0]!
  if (best === undefined) return `${forkpool.name}: ${formatFigure(forkpool.median)} ${suite.unit}`
  const ratio = 1 / best.ratio
  const what = suite.better === 'lower' ? 'its figure' : 'its figure (higher is better)'
  return `${forkpool.name} ÷ best other (${best.name}): ${ratio.toFixed(2)}x ${what}`
}

export function markdownSuite(suite: SuiteSummary): string {
  const forkpool = suite.contenders[0]!.name
  const ideal = suite.ideal
  const details = Object.entries(suite.details ?? {})
  const head = ['contender', `median (${suite.unit})`, 'min', 'max', ...(ideal ? ['÷ ideal'] : []), `÷ ${forkpool}`,
    ...details.map(([name, unit]) => `${name} (${unit}, median)`)]
  const rows = suite.contenders.map((c) => [
    c.name,
    formatFigure(c.median),
    formatFigure(c.min),
    formatFigure(c.max),
    ...(ideal ? [(c.median / ideal).toFixed(2)] : []),
    c.ratio.toFixed(2),
    ...details.map(([name]) => {
      const values = c.details?.[name]
      return values === undefined ? '–' : formatFigure(median(values))
    }),
  ])
  const lines = [
    `### ${suite.name}: ${suite.title}`,
    '',
    `${suite.better} is better · median of ${suite.rounds} round${suite.rounds === 1 ? '' : 's'}, each contender in a fresh process` +
      (ideal ? ` · ideal ${formatFigure(ideal)} ${suite.unit}` : '') + (suite.quick ? ' · quick version' : ''),
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...(suite.notes ?? []).map((note) => `- ${note}`),
    ...suite.targets.map((t) => `- target ${t.held ? 'held' : 'MISSED'}: ${t.describe}${t.actual ? ` (measured: ${t.actual})` : ''}`),
    `- ${standing(suite)}`,
  ]
  return lines.join('\n')
}

export function markdownRun(info: RunInfo, suites: SuiteSummary[]): string {
  const header = `Measured ${info.date} · Node ${info.node} · ${info.cores} cores (${info.cpu})`
  return [header, '', ...suites.map(markdownSuite).flatMap((table) => [table, ''])].join('\n')
}

const WIDTH = 760
const LABEL = 170
const BAR = 440
const ROW = 20

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A horizontal bar chart, one panel per suite, each contender's median; forkpool's bars stand out. */
export function svgChart(info: RunInfo, suites: SuiteSummary[]): string {
  const parts: string[] = []
  let y = 28
  parts.push(`<text x="10" y="18" class="title">forkpool benchmarks · Node ${escape(info.node)} · ${info.cores} cores · ` +
    `${escape(info.date)}</text>`)
  for (const suite of suites) {
    y += 18
    parts.push(`<text x="10" y="${y}"><tspan class="suite">${escape(suite.name)}</tspan><tspan class="note"> · ` +
      `${escape(`${suite.unit}, ${suite.better} is better`)}</tspan></text>`)
    y += 14
    // The chart shows full runs; the title's notes on the quick version are left out.
    parts.push(`<text x="10" y="${y}" class="note">${escape(suite.title.replace(/ \(quick: [^)]*\)/g, ''))}</text>`)
    y += 2
    const top = Math.max(...suite.contenders.map((c) => c.median), suite.ideal ?? 0)
    for (const [i, c] of suite.contenders.entries()) {
      const length = top > 0 ? Math.max(1, (c.median / top) * BAR) : 1
      const rowY = y + 6 + i * ROW
      const own = c.name.startsWith('forkpool')
      parts.push(
        `<text x="${LABEL - 8}" y="${rowY + 12}" class="label" text-anchor="end">${escape(c.name)}</text>`,
        `<rect x="${LABEL}" y="${rowY}" width="${length.toFixed(1)}" height="${ROW - 6}" class="${own ? 'own' : 'peer'}"/>`,
        // eslint-disable-next-line @stylistic/max-len -- one element of the SVG, as written to the file
        `<text x="${(LABEL + length + 6).toFixed(1)}" y="${rowY + 12}" class="value">${escape(`${formatFigure(c.median)} ${suite.unit}`)}</text>`
      )
    }
    if (suite.ideal !== undefined && top > 0) {
      const x = LABEL + (suite.ideal / top) * BAR
      parts.push(
        `<line x1="${x.toFixed(1)}" y1="${y + 2}" x2="${x.toFixed(1)}" y2="${y + 6 + suite.contenders.length * ROW}" class="ideal"/>`,
        `<text x="${(x + 3).toFixed(1)}" y="${y + 6 + suite.contenders.length * ROW}" class="ideal-label">ideal</text>`
      )
    }
    y += 10 + suite.contenders.length * ROW
  }
  const height = y + 10
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>',
    '.title{font-size:14px;font-weight:bold;fill:#212529}.suite{font-size:12px;font-weight:bold;fill:#343a40}',
    '.note{font-size:11px;fill:#868e96}.label,.value{font-size:11px;fill:#495057}',
    '.own{fill:#e8590c}.peer{fill:#adb5bd}.ideal{stroke:#1c7ed6;stroke-dasharray:3 2}.ideal-label{font-size:10px;fill:#1c7ed6}',
    '</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}
