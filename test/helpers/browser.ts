// A headless Chromium for the browser tests, found without downloading anything: Debian's
// /usr/bin/chromium when installed, otherwise the one shipped brotli-compressed inside the
// @sparticuz/chromium devDependency (which reads only its own package files unless given a URL,
// which this never does).
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

const DEBIAN_CHROMIUM = '/usr/bin/chromium'
const WHAT_TO_INSTALL = `install Debian's chromium (apt-get install -y chromium) or run npm ci, which installs the @sparticuz/chromium ` +
  `devDependency`
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Launches headless Chromium; throws, saying what to install, when there is none or it does not start. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromiumPath()
  try {
    return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, timeout: 30_000 })
  } catch (error) {
    throw new Error(`${executablePath} did not start (${String(error)}): ${WHAT_TO_INSTALL}`, { cause: error })
  }
}

/** Debian's chromium if installed, else @sparticuz/chromium's, unpacked once per version into the temp dir. */
export async function chromiumPath(): Promise<string> {
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM
  let entry: string
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium')
  } catch (error) {
    throw new Error(`no ${DEBIAN_CHROMIUM} and no @sparticuz/chromium: ${WHAT_TO_INSTALL}`, { cause: error })
  }
  // entry is <package>/build/cjs/index.cjs; the package's exports do not include its package.json.
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as { version: string }
  // The package unpacks into os.tmpdir() (/tmp/chromium and its libraries), where a run that died
  // mid-way, a concurrent run or another version's copy could leave a half-written or different
  // binary. So it unpacks into a fresh directory (TMPDIR of a child process), which is then renamed
  // into place in one step: a directory at `home` is always complete.
  const home = join(tmpdir(), `forkpool-test-chromium-${version}`)
  const binary = join(home, 'chromium')
  if (existsSync(binary)) return binary
  const staging = await mkdtemp(`${home}.unpacking-`)
  try {
    const unpacked = await unpack(entry, staging)
    if (unpacked !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not ${staging}`)
    await rename(staging, home).catch((error: NodeJS.ErrnoException) => {
      // Another run got there first with a complete copy: use it.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error
    })
  } catch (error) {
    throw new Error(`could not unpack @sparticuz/chromium ${version} (${String(error)}): ${WHAT_TO_INSTALL}`, { cause: error })
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return binary
}

/** Runs @sparticuz/chromium's executablePath() with os.tmpdir() pointing at `dir`; resolves the path it returns. */
function unpack(entry: string, dir: string): Promise<string> {
  const script = 'require(process.argv[1]).executablePath().then((path) => process.stdout.write(path))'
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, entry], {
      env: { ...process.env, TMPDIR: dir }, timeout: 120_000,
    }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}${stderr}`))
      else resolve(stdout)
    })
  })
}
