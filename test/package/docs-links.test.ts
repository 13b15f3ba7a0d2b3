// The README and the guides link to each other, to files of the repository and to headings: every
// relative link must reach a file that exists, and every #anchor a heading of that file.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'

const ROOT = new URL('../..', import.meta.url).pathname
const pages = ['README.md', 'CHANGELOG.md', 'bench/README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  .filter((page) => existsSync(path.join(ROOT, page)))

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '')
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)))
}

for (const page of pages) {
  t.test(page, async (t) => {
    const text = readFileSync(path.join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '')
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l))
    for (const link of links) {
      const [file, hash] = link.split('#') as [string, string | undefined]
      const target = file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), file)
      t.ok(existsSync(target), `${link}: ${path.relative(ROOT, target)} exists`)
      if (hash !== undefined && existsSync(target) && target.endsWith('.md')) t.ok(anchors(target).has(hash), `${link}: the heading #${hash} exists`)
    }
  })
}
