import fp from 'fastify-plugin'

/** Fields a route or plugin adds to the request's one access-log line (see docs/logging.md). */
export interface LogFields {
  modelId?: string | null
  modelVersion?: string | null
  upstream?: string | null
  upstreamMs?: number | null
  principal?: { type: string, id: string } | null
  rateLimited?: boolean
  /** Set by whoever streams a body, where no Content-Length says it. */
  bytesIn?: number
  bytesOut?: number
  [field: string]: unknown
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The problem code this request was answered with, if any. */
    errCode: string | undefined
    logFields: LogFields
  }
}

const PROBE_ROUTES = new Set(['/healthz', '/readyz'])

function byteCount (value: unknown): number | undefined {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return Number.isFinite(n) && value !== undefined ? n : undefined
}

/** One pino line per request, written when the response is done, with the documented fields. */
export const accessLog = fp(async function accessLog (app) {
  app.decorateRequest('errCode', undefined)
  app.decorateRequest('logFields', null as unknown as LogFields)
  app.addHook('onRequest', function startLogFields (request, _reply, done) {
    request.logFields = {}
    done()
  })
  app.addHook('onResponse', function writeAccessLine (request, reply, done) {
    const statusCode = reply.statusCode
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
      clientIp: request.ip,
      bytesIn: byteCount(request.headers['content-length']) ?? 0,
      // A streamed answer has no Content-Length: its sender counts it into logFields.bytesOut.
      bytesOut: byteCount(reply.getHeader('content-length')) ?? null,
      ...request.logFields,
      // null rather than absent: dashboards get the same keys on every line.
      errCode: request.errCode ?? null
    }
    // Health probes come every second from the gateway and orchestrators: a passing one is debug, and
    // a failing one (a service still loading its model) is news for operators, not a server error.
    if (PROBE_ROUTES.has(line.route)) request.log[statusCode < 400 ? 'debug' : 'info'](line, 'request completed')
    else if (statusCode >= 500) request.log.error(line, 'request completed')
    else request.log.info(line, 'request completed')
    done()
  })
}, { name: 'access-log', fastify: '5.x' })
