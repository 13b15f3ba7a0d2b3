// Builds the native spawner (native/forker.c) into build/forker: run at install, and by
// `npm run build`. Without a C compiler the package still works: commands then start on Node
// spawner processes (lib/runners/spawner/runtime.cts), which cost more per spawn. So a failed
// build is a warning; this repository's tests of the forker fail on their own when it is missing.
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'

const root = new URL('..', import.meta.url)
const out = new URL('build/forker', root).pathname
const source = new URL('native/forker.c', root).pathname
const cc = process.env.CC || 'cc'
mkdirSync(new URL('build/', root), { recursive: true })
try {
  execFileSync(cc, ['-O2', '-Wall', '-o', out, source], { stdio: 'inherit' })
} catch (error) {
  rmSync(out, { force: true })
  console.warn(`forkpool: could not build its native spawner with ${cc} (${error.message.split('\n')[0]}); commands will start on Node ` +
    `spawner processes instead`)
}
