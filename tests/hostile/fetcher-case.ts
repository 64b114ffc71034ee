// Runs a fetcher case of the corpus in-process against the model service's createImageFetcher, with
// every name resolved by the case's own table (an unknown name fails; the system resolver is never
// asked), against two image hosts on loopback: one allow-listed, one that must never be reached.
import { isIP } from 'node:net'
import { isProblemError } from '@modelgate/server-kit'
import { createImageFetcher } from '../../services/model-server/src/image/fetch-image.ts'
import type { ResolveHost } from '../../services/model-server/src/image/guarded-connect.ts'
import type { TestServer } from '../../services/model-server/test/image-host.ts'
import { type HostileCase, renderText } from './corpus.ts'

export interface FetcherOutcome {
  status: number
  code?: string
  /** Requests the two image hosts received during the case. */
  hostRequests: number
}

export interface ImageHosts {
  allowed: TestServer
  other: TestServer
}

export function hostVars (hosts: ImageHosts): Record<string, string> {
  return {
    allowed: `127.0.0.1:${hosts.allowed.port}`,
    allowedPort: String(hosts.allowed.port),
    other: `127.0.0.1:${hosts.other.port}`,
    otherPort: String(hosts.other.port)
  }
}

function caseLookup (table: Record<string, string[]>): ResolveHost {
  return async (hostname) => {
    const answers = table[hostname.toLowerCase()]
    if (answers === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname })
    return answers.map((address) => ({ address, family: isIP(address) }))
  }
}

const requestsOf = (hosts: ImageHosts): number => hosts.allowed.paths.length + hosts.other.paths.length

export async function runFetcherCase (c: HostileCase, hosts: ImageHosts): Promise<FetcherOutcome> {
  const vars = hostVars(hosts)
  const fetchImage = createImageFetcher({
    allowHosts: (c.allowHosts ?? ['{allowed}']).map((h) => renderText(h, vars)),
    lookup: caseLookup(c.resolve ?? {}),
    timeoutMs: 3000
  })
  const before = requestsOf(hosts)
  try {
    await fetchImage(renderText(c.url ?? '', vars))
    return { status: 200, hostRequests: requestsOf(hosts) - before }
  } catch (err) {
    if (!isProblemError(err)) throw err
    return { status: err.status, code: err.code, hostRequests: requestsOf(hosts) - before }
  } finally {
    await fetchImage.close()
  }
}
