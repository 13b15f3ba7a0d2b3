// A DNS server on loopback that answers every query after a set delay: the stand-in for the
// Internet's resolvers in tld-check.ts and the `dns` bench suite (nothing outside is reachable
// here). The wire format is dns-packet's. A name "exists" (an A record) when `exists` says so;
// otherwise the answer is NXDOMAIN, as for most NAME.tld pairs.

import { createSocket } from 'node:dgram'
import dnsPacket from 'dns-packet'

export interface DnsServerOptions {
  /** How long each answer waits, in ms. Default 830: the seed's 717 s for 861 lookups, one at a time. */
  delayMs?: number
  /** Which names have an address. Default: none. */
  exists?: (name: string) => boolean
}

export interface DnsServer {
  /** `127.0.0.1:PORT`, for Resolver.setServers(). */
  readonly address: string
  /** Queries answered so far. */
  readonly answered: number
  close(): Promise<void>
}

export const SEED_DELAY_MS = 830

export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  const { delayMs = SEED_DELAY_MS, exists = () => false } = options
  const socket = createSocket('udp4')
  let answered = 0
  const pending = new Set<NodeJS.Timeout>()
  socket.on('message', (message, from) => {
    let query: dnsPacket.Packet
    try {
      query = dnsPacket.decode(message)
    } catch {
      return // not a DNS query: a real server drops it too
    }
    const question = query.questions?.[0]
    if (question === undefined) return
    const found = question.type === 'A' && exists(question.name)
    const timer = setTimeout(() => {
      pending.delete(timer)
      const reply = dnsPacket.encode({
        id: query.id,
        type: 'response',
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (found ? 0 : NXDOMAIN),
        questions: [question],
        answers: found ? [{ type: 'A', name: question.name, ttl: 60, data: '192.0.2.1' }] : [],
      })
      answered++
      socket.send(reply, from.port, from.address)
    }, delayMs)
    pending.add(timer)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject)
      resolve()
    })
  })
  return {
    address: `127.0.0.1:${socket.address().port}`,
    get answered() {
      return answered
    },
    close: () => {
      for (const timer of pending) clearTimeout(timer)
      return new Promise((resolve) => socket.close(() => resolve()))
    },
  }
}

/** The rcode NXDOMAIN in a DNS header's flags (its low four bits). */
const NXDOMAIN = 3
