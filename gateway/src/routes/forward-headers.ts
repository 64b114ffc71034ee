import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyRequest } from 'fastify'

// W3C Trace Context: version-traceid-parentid-flags, lowercase hex, ids not all zero.
const TRACEPARENT = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/

/**
 * Credentials stop at the gateway: a model service never sees a client's key or token, only the
 * gateway's own service token when one is set. `expect` is
 * answered by the gateway's own server (100 Continue) and undici refuses to send it on: forwarded,
 * every upload with `Expect: 100-continue` (curl's default over 1 MB) failed with 502.
 */
const STRIPPED = new Set(['authorization', 'x-api-key', 'cookie', 'proxy-authorization', 'expect'])

export interface ForwardOptions {
  /** Whether the x-forwarded-* headers the client sent may be kept (the gateway sits behind a proxy). */
  trustProxy: boolean
  /** `Bearer <service token>`, when the services want one. */
  authorization?: string
}

/** The headers sent to a model service for one request. */
export function forwardHeaders (request: FastifyRequest, headers: IncomingHttpHeaders, opts: ForwardOptions): IncomingHttpHeaders {
  const traceparent = headers.traceparent
  const traced = typeof traceparent === 'string' && TRACEPARENT.test(traceparent.trim())
  // Copied without the dropped names rather than copied whole and deleted from: `delete` turns the
  // object into a slow dictionary, on every request.
  const out: IncomingHttpHeaders = {}
  for (const name in headers) {
    if (STRIPPED.has(name)) continue
    if (!traced && (name === 'traceparent' || name === 'tracestate')) continue
    if (!opts.trustProxy && name === 'forwarded') continue
    out[name] = headers[name]
  }
  // The service logs under the gateway's id, so one id follows the request through both logs.
  out['x-request-id'] = request.id
  const peer = request.socket.remoteAddress ?? request.ip
  const incoming = headers['x-forwarded-for']
  out['x-forwarded-for'] = opts.trustProxy && typeof incoming === 'string' && incoming !== '' ? `${incoming}, ${peer}` : peer
  out['x-forwarded-proto'] = request.protocol
  out['x-forwarded-host'] = request.host
  if (opts.authorization !== undefined) out.authorization = opts.authorization
  return out
}
