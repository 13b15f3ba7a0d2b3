// Full coverage is enforced on the library (lib/). Worker files, examples and benchmarks are
// programs the tests run, not library code, so they are left out of the report.
import { readdirSync } from 'node:fs'

const lib = readdirSync(new URL('../../lib/', import.meta.url), { recursive: true })
  .filter((file) => /\.c?ts$/.test(file))
  .map((file) => `lib/${file}`)

export default () => lib
