// The status endpoint's routes: a request line's target and method, checked before anything runs.

export type Route =
  | { name: 'page' | 'jobs' | 'ps' | 'stats' }
  | { name: 'cancel'; target: string }

/** What a request asks for, or the status code that refuses it (400 malformed, 404 unknown, 405 wrong method). */
export type Routing = { route: Route } | { status: 400 | 404; error: string } | { status: 405; error: string; allow: string }

const READ = 'GET, HEAD'
const READ_ROUTES: Record<string, Route> = {
  '': { name: 'page' },
  jobs: { name: 'jobs' },
  ps: { name: 'ps' },
  stats: { name: 'stats' },
}

export function routeRequest(method: string | undefined, target: string): Routing {
  const segments = pathSegments(target)
  if (segments === null) return { status: 400, error: 'malformed request path' }
  const read = segments.length === 1 ? READ_ROUTES[segments[0]!] : undefined
  if (read !== undefined) {
    return method === 'GET' || method === 'HEAD' ? { route: read } : { status: 405, error: `${method} is not allowed here`, allow: READ }
  }
  if (segments.length === 3 && segments[0] === 'jobs' && segments[2] === 'cancel') {
    return method === 'POST'
      ? { route: { name: 'cancel', target: segments[1]! } }
      : {
          status: 405, error: `${method} is not allowed here`, allow: 'POST'
        }
  }
  return { status: 404, error: 'no such page' }
}

/**
 * The decoded segments of an origin-form path (`/jobs/x/cancel` → ['jobs', 'x', 'cancel'], `/` → ['']);
 * the query is ignored. Null for anything malformed: not starting with '/', broken percent-encoding,
 * empty, '.' or '..' segments, or control characters.
 */
export function pathSegments(target: string): string[] | null {
  if (!target.startsWith('/')) return null
  const query = target.indexOf('?')
  const path = (query === -1 ? target : target.slice(0, query)).slice(1)
  if (path === '') return ['']
  const segments: string[] = []
  for (const raw of path.split('/')) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return null
    }
    // eslint-disable-next-line no-control-regex -- a control character in a path segment is what this refuses
    if (segment === '' || segment === '.' || segment === '..' || /[\u0000-\u001f\u007f]/.test(segment)) return null
    segments.push(segment)
  }
  return segments
}
