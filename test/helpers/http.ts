// Plain HTTP requests for the status endpoint tests: any method, path and headers, loopback only.
import http from 'node:http'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export function request(base: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, path, method: options.method ?? 'GET', headers: options.headers,
      timeout: 5000,
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path}`)))
    req.on('error', reject)
    req.end()
  })
}
