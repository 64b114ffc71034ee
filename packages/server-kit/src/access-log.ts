import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import pino from 'pino'

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

const logged = Symbol('accessLineWritten')
const replyOf = Symbol('reply')
type LoggedRequest = FastifyRequest & { [logged]: boolean, [replyOf]: FastifyReply | null }

/** The status nginx logs for a request whose client closed the connection before the answer was sent. */
const CLIENT_CLOSED = 499

function writeAccessLine (request: LoggedRequest, reply: FastifyReply, clientClosed: boolean): void {
  if (request[logged]) return
  request[logged] = true
  const statusCode = clientClosed ? CLIENT_CLOSED : reply.statusCode
  const line = {
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
    statusCode,
    responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
    clientIp: request.ip,
    // What came of an abandoned body is known only where it is streamed (logFields.bytesIn), not from Content-Length.
    bytesIn: clientClosed ? null : byteCount(request.headers['content-length']) ?? 0,
    // A streamed answer has no Content-Length: its sender counts it into logFields.bytesOut.
    bytesOut: clientClosed ? null : byteCount(reply.getHeader('content-length')) ?? null,
    ...request.logFields,
    clientClosed,
    // null rather than absent: dashboards get the same keys on every line.
    errCode: request.errCode ?? null
  }
  // Health probes come every second from the gateway and orchestrators: a passing one is debug, and
  // a failing one (a service still loading its model) is news for operators, not a server error.
  const level = PROBE_ROUTES.has(line.route) ? (statusCode < 400 ? 'debug' : 'info') : statusCode >= 500 && !clientClosed ? 'error' : 'info'
  writeLine(request.log, level, line)
}

const { lsCacheSym, timeSym, chindingsSym, streamSym, endSym } = pino.symbols
const MESSAGE = ',"msg":"request completed"'

/**
 * The access line in pino's own envelope (level, time, the request logger's bindings, msg), its fields
 * in one JSON.stringify: they are plain JSON values, and pino's field-by-field loop was most of the
 * line's cost. pino's redaction is not applied: the access line carries no secret.
 */
function writeLine (log: FastifyBaseLogger, level: 'debug' | 'info' | 'error', fields: object): void {
  // Fastify's request.log is a child of the kit's pino logger, or of a test's (ServerOptions.loggerInstance).
  const logger = log as unknown as pino.Logger
  if (!logger.isLevelEnabled(level)) return
  const own = logger as unknown as Record<symbol, unknown>
  const start = (own[lsCacheSym] as Record<number, string>)[logger.levels.values[level]!]!
  const time = (own[timeSym] as () => string)()
  const json = JSON.stringify(fields)
  const line = start + time + (own[chindingsSym] as string) + ',' + json.slice(1, -1) + MESSAGE + (own[endSym] as string)
  ;(own[streamSym] as { write: (line: string) => unknown }).write(line)
}

/**
 * One pino line per request, with the documented fields: written when the response is done, or when
 * the client closes the connection first (mid-upload, or before the answer was sent): status 499,
 * `clientClosed: true`.
 */
export const accessLog = fp(async function accessLog (app) {
  app.decorateRequest('errCode', undefined)
  app.decorateRequest('logFields', null as unknown as LogFields)
  app.decorateRequest(logged, false)
  app.decorateRequest(replyOf, null)
  app.addHook('onRequest', function startLogFields (request, reply, done) {
    request.logFields = {}
    ;(request as LoggedRequest)[replyOf] = reply
    done()
  })
  app.addHook('onResponse', function writeAnsweredLine (request, reply, done) {
    writeAccessLine(request as LoggedRequest, reply, false)
    done()
  })
  app.addHook('onRequestAbort', function writeAbandonedLine (request, done) {
    const reply = (request as LoggedRequest)[replyOf]
    if (reply !== null) writeAccessLine(request as LoggedRequest, reply, true)
    done()
  })
}, { name: 'access-log', fastify: '5.x' })
