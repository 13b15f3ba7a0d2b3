// `npm pack` as it runs on a fresh clone: no dist/ and no build/, only the files git would check
// out (tracked and not-yet-committed ones, as the working tree has them, so a change is tested
// before its commit). node_modules is a symlink to this repository's, which `npm ci` would
// install the same from package-lock.json. npm runs the package's own `prepare` build here;
// a pack that shipped whatever dist/ happened to lie around could not be checked this way.

import { execFile, execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const ROOT = new URL('../..', import.meta.url).pathname

export interface CleanPack {
  /** The tarball's absolute path. */
  tarball: string
  /** The paths inside the package, as `npm pack --json` lists them. */
  files: string[]
}

/**
 * The environment for npm and npx run as a user would: without the npm_* variables, which describe this repository's project to the npm or
 * npx that started the tests.
 */
export const USER_ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))

/** Copies the repository's checked-out files to `dir/clone` and packs there into `dir`. */
export async function cleanPack(dir: string): Promise<CleanPack> {
  const clone = path.join(dir, 'clone')
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT, encoding: 'utf8' }).split('\0')
  for (const file of listed.filter((f) => f !== '' && existsSync(path.join(ROOT, f)))) {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true })
    copyFileSync(path.join(ROOT, file), path.join(clone, file))
  }
  if (existsSync(path.join(clone, 'dist')) || existsSync(path.join(clone,
    'build'))) throw new Error('dist/ or build/ is tracked by git: the clone is not clean')
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'))
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: clone, env: USER_ENV, maxBuffer: 64 * 1024 * 1024,
  })
  // The prepare build's own output comes first on stdout; npm's JSON report is the rest.
  const [report] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as [{ filename: string; files: { path: string }[] }]
  return { tarball: path.join(dir, report.filename), files: report.files.map((f) => f.path) }
}
