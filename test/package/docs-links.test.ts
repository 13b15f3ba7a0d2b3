// The README and the guides link to each other, to files of the repository and to headings: every
// relative link must reach a file that exists, and every #anchor one heading of that file (a
// heading written twice makes GitHub's anchor go to the first). A page that is packed is also read
// where only the package is (node_modules, the tarball, an editor), and npm's page resolves
// relative links only through a `repository` field, which forkpool has not: so every link from
// a packed page must reach a file that is packed too.

import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'

const ROOT = new URL('../..', import.meta.url).pathname
const pages = ['README.md', 'CHANGELOG.md', 'bench/README.md',
  ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  .filter((page) => existsSync(path.join(ROOT, page)))

// What the package holds: the pages' set does not depend on a build (dist/ holds no page).
const packed = new Set((JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'],
  { cwd: ROOT, encoding: 'utf8' })) as [{ files: { path: string }[] }])[0].files.map((f) => f.path))
const packedPages = [...packed].filter((file) => file.endsWith('.md'))

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')

/** How many headings of `file` have each anchor. */
function anchors(file: string): Map<string, number> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '')
  const counts = new Map<string, number>()
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) counts.set(anchor(m[1]!), (counts.get(anchor(m[1]!)) ?? 0) + 1)
  return counts
}

/** The page's relative links (file#anchor), outside code blocks: markdown links and images, and HTML src/href. */
function links(page: string): string[] {
  const text = readFileSync(path.join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)|(?:src|href)="([^"]+)"/g)].map((m) => (m[1] ?? m[2])!).filter((l) => !/^[a-z]+:/.test(l))
}

t.test('the check sees the package: its pages are listed', async (t) => {
  for (const page of ['README.md', 'docs/jobs.md', 'docs/api/README.md']) t.ok(packed.has(page), `${page} is packed`)
})

for (const page of pages) {
  t.test(page, async (t) => {
    for (const link of links(page)) {
      const [file, hash] = link.split('#') as [string, string | undefined]
      const target = file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), file)
      t.ok(existsSync(target), `${link}: ${path.relative(ROOT, target)} exists`)
      if (hash !== undefined && existsSync(target) && target.endsWith('.md')) {
        t.equal(anchors(target).get(hash), 1,
        `${link}: one heading #${hash}`)
      }
    }
  })
}

t.test('every link from a packed page reaches a packed file', async (t) => {
  for (const page of packedPages) {
    for (const link of links(page)) {
      const file = decodeURIComponent(link.split('#')[0]!)
      if (file === '') continue
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(page), file))
      t.ok(packed.has(target), `${page} → ${link}: ${target} is in the package`)
    }
  }
})
