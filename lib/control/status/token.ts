// The status endpoint's bearer token, compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * True when the Authorization header is `Bearer <token>`. Both sides are hashed first: equal
 * lengths for timingSafeEqual, and the time taken says nothing about the token's length.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '')
  const offered = digest(match?.[1] ?? '')
  return timingSafeEqual(offered, digest(token)) && match !== null
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
