// pm.serveStatus(): a small HTTP endpoint (node:http only) over the in-flight registry.

import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseDuration } from '../../primitives/duration.js'
import { AmbiguousJobError } from '../../errors.js'
import type { InFlightRecord } from '../registry.js'
import { invalidType, optionKeys, validateInteger, validateOptions, validateString } from '../../util/validate.js'
import type { JobStats } from '../stats.js'
import type { Duration } from '../../types.js'
import { statusPage } from './page.js'
import { routeRequest, type Route } from './route.js'
import { bearerMatches, TOKEN_SETTING } from './token.js'

/** What the endpoint serves: the manager, seen through the few calls it needs. */
export interface StatusSource {
  inFlight(): InFlightRecord[]
  ps(): string
  stats(): JobStats
  /** How many jobs it asked to stop; throws AmbiguousJobError for an ident shared by several jobs. */
  cancel(target: string, reason: unknown): number
}

/** The options of `serveStatus()`. */
export interface StatusOptions {
  /** Default 0: any free port (see the returned url). */
  port?: number
  /** Default '127.0.0.1': loopback only. Anything else exposes the endpoint to that network. */
  host?: string
  /** Enables `POST /jobs/:name/cancel` for requests with `Authorization: Bearer <token>`. Without it cancelling over HTTP is off (403). */
  token?: string
  /** How often the HTML page refreshes itself. Default '2s'. */
  refresh?: Duration
}

/** What `serveStatus()` resolves with: the running endpoint. */
export interface StatusServer {
  /** `http://host:port/`. */
  readonly url: string
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

/** serveStatus()'s options with the starter's own name for the token setting. */
export interface StartedStatusOptions extends StatusOptions {
  [TOKEN_SETTING]?: string
}

const STATUS_KEYS = optionKeys<StatusOptions>({ port: true, host: true, token: true, refresh: true })
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])
const HTTP_CANCEL_REASON = 'cancelled over HTTP'

const TOKEN_EXPECTED = 'a non-empty string of visible ASCII characters (it travels in an HTTP header)'

/** The token is a secret: a bad one is described by what is wrong with it, not shown. */
function validateToken(token: unknown): void {
  if (typeof token !== 'string') throw invalidType('serveStatus() token', TOKEN_EXPECTED, token)
  // A secret: what is wrong with it is told, not the token.
  const got = token === '' ? 'an empty string' : `a string of ${token.length} characters, not all of them visible ASCII`
  if (!/^[\x21-\x7e]+$/.test(token)) throw new RangeError(`serveStatus() token must be ${TOKEN_EXPECTED}, got ${got}`)
}

export async function serveStatus(source: StatusSource, options?: StatusOptions): Promise<StatusServer> {
  const checked = validateOptions(options, 'serveStatus()', STATUS_KEYS)
  const { port = 0, host = '127.0.0.1', token } = checked
  validateInteger(port, 'serveStatus() port', 0, 65535)
  validateString(host, 'serveStatus() host', true)
  if (token !== undefined) validateToken(token)
  const refreshMs = parseDuration(checked.refresh ?? '2s', 'serveStatus() refresh')
  const setting = (checked as StartedStatusOptions)[TOKEN_SETTING] ?? 'serveStatus({ token })'
  const loopbackOnly = LOOPBACK_HOSTS.has(host)

  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 2_000 }, (req, res) => {
    try {
      respond(req, res)
    } catch (error) {
      send(res, 500, { error: `internal error: ${(error as Error).message}` })
    }
  })

  function respond(req: IncomingMessage, res: ServerResponse): void {
    // A loopback server answers only to loopback names: a page elsewhere cannot reach it by DNS rebinding.
    if (loopbackOnly && !LOOPBACK_HOSTS.has(hostName(req.headers.host))) return send(res, 400, { error: 'bad Host header' })
    // A server request always has a url (only client-side messages lack one).
    const routing = routeRequest(req.method, req.url!)
    if ('status' in routing) {
      if (routing.status === 405) res.setHeader('allow', routing.allow)
      return send(res, routing.status, { error: routing.error })
    }
    answer(routing.route, req, res)
  }

  function answer(route: Route, req: IncomingMessage, res: ServerResponse): void {
    switch (route.name) {
      case 'page': {
        const nonce = randomBytes(16).toString('base64')
        res.setHeader('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
          `connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
        return send(res, 200, statusPage(source.inFlight(), source.stats(), nonce, refreshMs), 'text/html; charset=utf-8')
      }
      case 'jobs': {
        const jobs = source.inFlight()
        return send(res, 200, { count: jobs.length, jobs })
      }
      case 'ps':
        return send(res, 200, source.ps(), 'text/plain; charset=utf-8')
      case 'stats':
        return send(res, 200, source.stats())
      case 'cancel':
        return cancel(route.target, req, res)
    }
  }

  function cancel(target: string, req: IncomingMessage, res: ServerResponse): void {
    if (token === undefined) {
      return send(res, 403, {
        error: `cancelling over HTTP is off: this server has no token; to turn it on, start it with ${setting}`,
      })
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      res.setHeader('www-authenticate', 'Bearer')
      return send(res, 401, {
        error: `cancelling needs this server's token (set with ${setting}) in the header Authorization: Bearer <token>`,
      })
    }
    let cancelled: number
    try {
      cancelled = source.cancel(target, HTTP_CANCEL_REASON)
    } catch (error) {
      if (!(error instanceof AmbiguousJobError)) throw error
      return send(res, 409, { error: error.message })
    }
    if (cancelled === 0) return send(res, 404, { error: `no job in flight is named ${JSON.stringify(target)} or has that ident` })
    send(res, 202, { target, cancelled })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`
  let closed: Promise<void> | undefined
  return {
    url,
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    },
  }
}

/** The name in a Host header, without its port. */
function hostName(header: string | undefined): string {
  const host = header ?? ''
  const bracketed = /^(\[[^\]]*\])(?::\d*)?$/.exec(host)
  if (bracketed) return bracketed[1]!
  const colon = host.indexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(text)
}
