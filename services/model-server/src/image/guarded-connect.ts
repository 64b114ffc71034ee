import { isIP, type LookupFunction } from 'node:net'
import { lookup as dnsLookup, type LookupOptions } from 'node:dns'
import { buildConnector } from 'undici'
import { ImageUrlForbidden } from '../errors.ts'

// The undici connector of the image fetcher. The address policy runs inside the socket's own
// lookup, so the address checked is the address connected to: a name that resolves to a public
// address for a pre-check and to 169.254.169.254 for the connection (DNS rebinding) is refused.

export interface ResolvedAddress { address: string, family: number }

/**
 * Resolves a host name to all of its addresses, like `dns.promises.lookup(name, { all: true })`
 * (the default). Injected by tests so a name can resolve to a forbidden address.
 */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>

/** A trusted `host` (any port) or `host:port`, from IMAGE_URL_ALLOW_HOSTS. */
export interface AllowedHost { hostname: string, port: number | null }

export interface GuardedConnectOptions {
  allowHosts: AllowedHost[]
  lookup: ResolveHost
  /** True for an address not to connect to; `isForbiddenAddress` unless a test narrows it. */
  isForbidden: (ip: string) => boolean
  timeoutMs: number
}

export const resolveWithDns: ResolveHost = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true }, (err, addresses) => { if (err) reject(err); else resolve(addresses) })
})

/** Parses allow-list entries the way URLs are parsed, so `LOCALHOST` and `localhost` match. */
export function parseAllowHosts (entries: string[]): AllowedHost[] {
  return entries.map((entry) => {
    let url: URL | undefined
    try { url = new URL(`http://${entry}`) } catch {}
    if (url === undefined || url.href !== `http://${url.host}/` || url.username !== '') {
      throw new Error(`Image URL allow-list entry "${entry}" is not a host or host:port`)
    }
    // An explicit :80 is a port restriction even though the URL parser drops it as the default.
    const port = /:(\d+)$/.exec(entry)?.[1]
    return { hostname: unbracket(url.hostname), port: port === undefined ? null : Number(port) }
  })
}

export function isAllowedHost (allowHosts: AllowedHost[], hostname: string, port: number): boolean {
  const host = unbracket(hostname)
  return allowHosts.some((entry) => entry.hostname === host && (entry.port === null || entry.port === port))
}

export function effectivePort (protocol: string, port: string): number {
  return port === '' ? (protocol === 'https:' ? 443 : 80) : Number(port)
}

/** An undici `connect` function: allow-listed hosts connect freely, all others under the policy. */
export function createGuardedConnector (opts: GuardedConnectOptions): buildConnector.connector {
  const trusted = buildConnector({ timeout: opts.timeoutMs, lookup: netLookup(opts.lookup, null) })
  const guarded = buildConnector({ timeout: opts.timeoutMs, lookup: netLookup(opts.lookup, opts.isForbidden) })
  return (params, callback) => {
    if (isAllowedHost(opts.allowHosts, params.hostname, effectivePort(params.protocol, params.port))) {
      trusted(params, callback)
    } else if (isIP(params.hostname) !== 0) {
      // net.connect skips the lookup for an IP literal, so the literal is checked here.
      if (opts.isForbidden(params.hostname)) queueMicrotask(() => callback(forbidden(params.hostname), null))
      else guarded(params, callback)
    } else {
      guarded(params, callback)
    }
  }
}

function netLookup (resolve: ResolveHost, isForbidden: ((ip: string) => boolean) | null): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const result = checkAnswers(hostname, found, options, isForbidden)
        if (result instanceof Error) callback(result, '')
        else if (options.all === true) callback(null, result)
        else callback(null, result[0]?.address ?? '', result[0]?.family)
      },
      (err: NodeJS.ErrnoException) => callback(err, '')
    )
  }
}

// One forbidden answer refuses the name: trying the others would let a rebinding attacker race us.
function checkAnswers (hostname: string, found: ResolvedAddress[], options: LookupOptions,
  isForbidden: ((ip: string) => boolean) | null): ResolvedAddress[] | Error {
  const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family
  const answers = found.filter((a) => family === undefined || family === 0 || a.family === family)
  if (answers.length === 0 || answers.some((a) => isIP(a.address) !== a.family)) {
    return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname })
  }
  if (isForbidden !== null && answers.some((a) => isForbidden(a.address))) return forbidden(hostname)
  return answers
}

function forbidden (host: string): Error {
  // The detail names the host only: which internal address it resolved to is not the caller's business.
  return new ImageUrlForbidden(`The image URL host ${host} is not a public address.`)
}

function unbracket (hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
}
