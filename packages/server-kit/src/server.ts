import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import AjvCompiler from '@fastify/ajv-compiler'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify'
import { accessLog } from './access-log.ts'
import { clientErrorHandler, expectationFailed } from './client-error.ts'
import { drain } from './drain.ts'
import { lingeringCloses } from './linger.ts'
import { stdoutLines } from './log-destination.ts'
import { type ErrorHandlerOptions, errorHandler } from './error-handler.ts'
import { requestId, requestIdFrom } from './request-id.ts'

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

export interface ServerOptions extends ErrorHandlerOptions {
  /** The process's name, on every log line as `service`. */
  name: string
  /** More fields on every log line (a gateway worker's number). */
  logBase?: Record<string, unknown>
  logLevel?: string
  /** A logger to use instead of a new pino one (tests capture lines with it). */
  loggerInstance?: FastifyBaseLogger
  /** Largest accepted request body in bytes. */
  bodyLimit?: number
  /** Time a whole request may take to arrive, against slow uploads (ms). */
  requestTimeoutMs?: number
  trustProxy?: FastifyServerOptions['trustProxy']
}

// Secrets never reach a log line: headers are redacted here, once, for every process.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'token',
  'apiKey'
]

const AJV_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: true } as const

/**
 * Query strings, path parameters and headers are text: coerced to their schema's types (`?topk=5`).
 * A JSON body is typed already: `{"image": 12345}` is a number where a string belongs (400
 * BODY_INVALID), not the string "12345" that would then fail as an image.
 */
const buildValidator: AjvCompiler.BuildCompilerFromPool = (externalSchemas, serverOptions) => {
  // The compilers take Fastify's route definition ({ schema, httpPart, ... }), whatever their types say.
  type Compile = (route: { httpPart?: string }) => unknown
  const build = (coerceTypes: 'array' | false): Compile =>
    AjvCompiler()(externalSchemas, { plugins: serverOptions?.plugins ?? [], customOptions: { ...AJV_OPTIONS, coerceTypes } }) as unknown as Compile
  const coercing = build('array')
  const strict = build(false)
  const compile: Compile = (route) => route.httpPart === 'body' ? strict(route) : coercing(route)
  return compile as unknown as ReturnType<AjvCompiler.BuildCompilerFromPool>
}

/** A Fastify instance with the platform's logger, request id, access log and problem+json errors. */
export function buildServer (opts: ServerOptions): App {
  const logger = opts.loggerInstance === undefined
    ? { loggerInstance: undefined, logger: { level: opts.logLevel ?? 'info', base: { service: opts.name, ...opts.logBase }, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, stream: stdoutLines() } }
    : { loggerInstance: opts.loggerInstance.child({ service: opts.name, ...opts.logBase }) }
  const requestTimeout = opts.requestTimeoutMs ?? 30_000
  const app = Fastify({
    ...(logger.loggerInstance === undefined ? { logger: logger.logger } : { loggerInstance: logger.loggerInstance }),
    genReqId: requestIdFrom,
    // Fastify's own per-request lines are off: the access log writes one line with our fields.
    logController: new LogController({ requestIdLogLabel: 'reqId', disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    requestTimeout,
    // Node derives headersTimeout (60 s) when the server is made, before Fastify sets requestTimeout;
    // a headersTimeout above requestTimeout silently turns the request timeout off, so a body sent a
    // byte at a time was never cut. Node checks the timeouts every connectionsCheckingInterval (30 s
    // by default): once a second cuts a slow client within a second of its time.
    http: { requestTimeout, headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    clientErrorHandler,
    connectionTimeout: 0,
    keepAliveTimeout: 72_000,
    return503OnClosing: false, // drain.ts answers instead, as problem+json
    trustProxy: opts.trustProxy ?? false,
    schemaController: { compilersFactory: { buildValidator } }
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.server.on('checkExpectation', expectationFailed)
  app.register(requestId)
  app.register(accessLog)
  app.register(errorHandler, { mapError: opts.mapError, typeBase: opts.typeBase })
  app.register(drain)
  app.register(lingeringCloses)
  return app
}
