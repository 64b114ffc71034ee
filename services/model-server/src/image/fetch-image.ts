import { Agent, request, type Dispatcher } from 'undici'
import { isProblemError } from '@modelgate/server-kit'
import {
  BodyInvalid, ImageTooLarge, ImageUnsupportedType, ImageUrlFailed, ImageUrlForbidden, ImageUrlTimeout
} from '../errors.ts'
import { isForbiddenAddress, isLocalhostName, parseIpLiteral } from './address-policy.ts'
import {
  createGuardedConnector, effectivePort, isAllowedHost, parseAllowHosts, resolveWithDns, type ResolveHost
} from './guarded-connect.ts'

// SSRF-safe download of the image behind a URL (the `{"url": ...}` request). Each hop is checked
// for scheme, credentials and literal address; names are checked at connect time (guarded-connect.ts).
// Errors: a URL that does not parse or is too long → BODY_INVALID 400; a scheme, credentials or an
// address the policy refuses → IMAGE_URL_FORBIDDEN 403; a response that is not an image (text/html,
// image/svg+xml, none) → IMAGE_UNSUPPORTED_TYPE 415, like an upload of that type; over maxBytes →
// IMAGE_TOO_LARGE 413; the whole fetch over timeoutMs → IMAGE_URL_TIMEOUT 504; anything else the
// remote end does wrong (refused, unresolvable, non-2xx, more than maxRedirects) → IMAGE_URL_FAILED 502.

export interface ImageFetcherOptions {
  /** `host` or `host:port` entries (IMAGE_URL_ALLOW_HOSTS) that skip the address policy. */
  allowHosts?: string[]
  /** For the whole fetch: connection, every redirect and the body. */
  timeoutMs?: number
  maxBytes?: number
  maxRedirects?: number
  maxUrlLength?: number
  /** Name resolution; `dns.lookup` with `all: true` by default. */
  lookup?: ResolveHost
  /** The address policy; tests narrow it to let one loopback address stand in for a public one. */
  isForbidden?: (ip: string) => boolean
}

/** Downloads the image behind a URL under the fetch policy. */
export type FetchImage = (url: string, signal?: AbortSignal) => Promise<{ bytes: Buffer, contentType: string, fetchMs: number }>
export type ImageFetcher = FetchImage & { close: () => Promise<void> }

// SVG is XML that sharp would render with librsvg, fetching and scripting included: never an input.
const REFUSED_IMAGE_TYPES = new Set(['image/svg+xml'])
const REDIRECTS = new Set([301, 302, 303, 307, 308])

export function createImageFetcher (options: ImageFetcherOptions = {}): ImageFetcher {
  const allowHosts = parseAllowHosts(options.allowHosts ?? [])
  const timeoutMs = options.timeoutMs ?? 5000
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024
  const maxRedirects = options.maxRedirects ?? 3
  const maxUrlLength = options.maxUrlLength ?? 2048
  const isForbidden = options.isForbidden ?? isForbiddenAddress
  const agent = new Agent({
    connect: createGuardedConnector({ allowHosts, lookup: options.lookup ?? resolveWithDns, isForbidden, timeoutMs }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs
  })

  function checkTarget (url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ImageUrlForbidden(`The image URL scheme ${url.protocol} is not allowed; use http or https.`)
    }
    if (url.username !== '' || url.password !== '') {
      throw new ImageUrlForbidden('The image URL must not carry credentials.')
    }
    if (isAllowedHost(allowHosts, url.hostname, effectivePort(url.protocol, url.port))) return
    if (isLocalhostName(url.hostname)) {
      throw new ImageUrlForbidden(`The image URL host ${url.hostname} is a loopback name (RFC 6761).`)
    }
    const literal = parseIpLiteral(url.hostname)
    if (literal !== null && isForbidden(literal.toString())) {
      throw new ImageUrlForbidden(`The image URL host ${url.hostname} is not a public address.`)
    }
  }

  async function fetchImage (rawUrl: string, signal?: AbortSignal): Promise<Awaited<ReturnType<FetchImage>>> {
    const started = performance.now()
    let url = parseUrl(rawUrl, maxUrlLength)
    const deadline = AbortSignal.timeout(timeoutMs)
    const aborted = signal === undefined ? deadline : AbortSignal.any([signal, deadline])
    try {
      for (let redirects = 0; ; redirects++) {
        checkTarget(url)
        const res = await request(url, { dispatcher: agent, signal: aborted, headers: { accept: 'image/*' } })
        if (REDIRECTS.has(res.statusCode)) {
          discard(res.body)
          // Every hop goes through checkTarget and the connector again: a public host may answer 302 to 169.254.169.254.
          url = redirectTarget(url, res, redirects, maxRedirects)
          continue
        }
        const contentType = checkResponse(res, maxBytes)
        const bytes = await readBody(res.body, maxBytes)
        return { bytes, contentType, fetchMs: performance.now() - started }
      }
    } catch (err) {
      if (isProblemError(err)) throw err
      if (signal?.aborted === true) throw signal.reason
      throw toProblem(err, deadline.aborted, timeoutMs)
    }
  }

  return Object.assign(fetchImage, { close: async () => { await agent.close() } })
}

function parseUrl (raw: string, maxLength: number): URL {
  const invalid = (message: string): Error => new BodyInvalid(message, { extra: { errors: [{ path: '/url', message }] } })
  if (raw.length > maxLength) throw invalid(`The image URL is longer than ${maxLength} characters.`)
  try {
    return new URL(raw)
  } catch {
    throw invalid('The image URL is not a valid absolute URL.')
  }
}

function redirectTarget (from: URL, res: Dispatcher.ResponseData, redirects: number, maxRedirects: number): URL {
  if (redirects >= maxRedirects) throw new ImageUrlFailed(`The image URL redirected more than ${maxRedirects} times.`)
  const location = res.headers.location
  if (typeof location !== 'string') throw new ImageUrlFailed(`The image URL answered ${res.statusCode} without a location.`)
  try {
    return new URL(location, from)
  } catch {
    throw new ImageUrlFailed('The image URL redirected to an invalid URL.')
  }
}

/** Refuses a response before its body is read; returns its image content type. */
function checkResponse (res: Dispatcher.ResponseData, maxBytes: number): string {
  const fail = (problem: Error): never => { discard(res.body); throw problem }
  if (res.statusCode < 200 || res.statusCode > 299) fail(new ImageUrlFailed(`The image URL answered ${res.statusCode}.`))
  const header = res.headers['content-type']
  const type = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase() ?? ''
  if (!type.startsWith('image/') || REFUSED_IMAGE_TYPES.has(type)) {
    const got = type === '' ? 'no content type' : `content type ${type}`
    fail(new ImageUnsupportedType(`The image URL answered with ${got}, not a supported image type.`))
  }
  if (Number(res.headers['content-length']) > maxBytes) fail(tooLarge(maxBytes))
  return type
}

// Stop at maxBytes whatever content-length said: the header is the server's word, the bytes are not.
async function readBody (body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      discard(body)
      throw tooLarge(maxBytes)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size)
}

// Destroying a body unread aborts its request, which the body reports as an error nobody needs.
function discard (body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {}).destroy()
}

function tooLarge (maxBytes: number): Error {
  return new ImageTooLarge(`The image at the URL is larger than ${maxBytes} bytes.`)
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

function toProblem (err: unknown, deadlinePassed: boolean, timeoutMs: number): Error {
  const code = (err as { code?: unknown } | null)?.code
  if (deadlinePassed || TIMEOUT_CODES.has(String(code))) {
    return new ImageUrlTimeout(`The image URL did not answer within ${timeoutMs} ms.`, { cause: err })
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ImageUrlFailed('The image URL host could not be resolved.', { cause: err })
  }
  const reason = typeof code === 'string' ? ` (${code})` : ''
  return new ImageUrlFailed(`The image URL could not be fetched${reason}.`, { cause: err })
}
