// Looks one name up with Node's real resolver (dns.promises.Resolver) against the server given:
// the job of examples/tld-check.ts and the `dns` bench suite. One Resolver per server and per
// thread or process, shared by the lookups running there (a Resolver per lookup costs a c-ares
// channel each); a stop therefore abandons its own lookup rather than cancel() the Resolver, which
// would cancel every lookup on it.
import { Resolver } from 'node:dns/promises'
import type { WorkerContext } from '../lib/index.js'

export interface Lookup {
  name: string
  /** `127.0.0.1:PORT` */
  server: string
}

export interface LookupResult {
  name: string
  /** Its addresses; empty when it does not exist. */
  addresses: string[]
}

const resolvers = new Map<string, Resolver>()

function resolverFor(server: string): Resolver {
  let resolver = resolvers.get(server)
  if (resolver === undefined) {
    // Retries as a system resolver does: a UDP query or answer can be lost (seen with 50 fresh
    // processes starting at once on a loaded machine: 7 of 1,438 lookups timed out with one try).
    resolver = new Resolver({ timeout: 5_000, tries: 3 })
    resolver.setServers([server])
    resolvers.set(server, resolver)
  }
  return resolver
}

async function resolve(name: string, server: string): Promise<LookupResult> {
  try {
    return { name, addresses: await resolverFor(server).resolve4(name) }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTFOUND') return { name, addresses: [] }
    throw error
  }
}

/** `ctx` is absent when a plain pool (the bench's raw piscina) calls it. */
export default function lookup({ name, server }: Lookup, ctx?: WorkerContext): Promise<LookupResult> {
  const answer = resolve(name, server)
  const signal = ctx?.signal
  if (signal === undefined) return answer
  signal.throwIfAborted()
  let unlisten = (): void => {}
  const stopped = new Promise<never>((_resolve, reject) => {
    const stop = (): void => reject(signal.reason)
    signal.addEventListener('abort', stop, { once: true })
    unlisten = () => signal.removeEventListener('abort', stop)
  })
  return Promise.race([answer, stopped]).finally(unlisten)
}
