// The status endpoint's bearer token, compared in constant time, and how its starter names its setting.

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

/**
 * Not a public option of serveStatus(): how whoever started the server turns cancelling on, named
 * in the 403 and 401 answers in their own terms. The forkpool command gives its flag; serveStatus()
 * callers get `serveStatus({ token })`. A symbol key, so validateOptions (which checks string keys)
 * lets it by. Here, not in server.ts, so the command can name it without loading node:http.
 */
export const TOKEN_SETTING: unique symbol = Symbol('forkpool.status.tokenSetting')

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
