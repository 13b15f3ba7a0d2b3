import { describe } from '../util/describe.js'

// Memory sizes as users write them: 268435456, '256MB', '1.5GiB'. Everything inside is bytes.

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
}

const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)$/i

/**
 * Parses a memory size into bytes. Numbers are bytes; strings need a unit (B, KB, MB, GB, KiB,
 * MiB, GiB; case does not matter). `Infinity` means "no limit".
 * Throws a TypeError or RangeError naming the bad value.
 */
export function parseBytes(value: unknown, what = 'size'): number {
  if (typeof value === 'number') {
    if (Number.isNaN(value) || value <= 0) throw new RangeError(`${what} must be a positive number of bytes, got ${String(value)}`)
    return value
  }
  if (typeof value !== 'string') throw new TypeError(`${what} must be a number of bytes or a string like '512MB', got ${describe(value)}`)
  const match = SIZE.exec(value.trim())
  const unit = match && Object.hasOwn(UNIT_BYTES, match[2]!.toLowerCase()) ? UNIT_BYTES[match[2]!.toLowerCase()] : undefined
  if (!match || unit === undefined) {
    throw new RangeError(`${what} ${JSON.stringify(value)} is not a size; ` +
      "use a number of bytes or units B, KB, MB, GB, KiB, MiB, GiB, as in '512MB'")
  }
  const bytes = Number(match[1]) * unit
  if (!(bytes > 0)) throw new RangeError(`${what} must be larger than zero, got ${JSON.stringify(value)}`)
  return bytes
}
