// POST /model/:id/predict: authenticate, resolve the model and a healthy replica, then stream the
// request to that replica's POST /predict with @fastify/http-proxy and relay its answer as is.
import httpProxy from '@fastify/http-proxy'
import { isProblemError } from '@modelgate/server-kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { mayCallModel } from '../auth/principal.ts'
import { ForbiddenModel, ModelNotFound, ModelUnavailable, UpstreamFailed, UpstreamTimeout } from '../errors.ts'
import type { RouteTarget, UpstreamRegistry } from '../upstreams/registry.ts'
import { streamBodyParser } from './body-stream.ts'
import { forwardHeaders } from './forward-headers.ts'
import { predictSchema } from './schemas.ts'

export interface PredictRouteOptions {
  maxBodyBytes: number
  upstreamTimeoutMs: number
  /** Seconds a client is told to wait when every replica is down (Retry-After). */
  retryAfterSeconds: number
  trustProxy: boolean
  /**
   * Chooses version and replica for a request to a known model; undefined when none can serve.
   * The default takes the stable version; canary routing and version pinning replace it.
   */
  chooseTarget?: (request: FastifyRequest, modelId: string, registry: UpstreamRegistry) => RouteTarget | undefined
}

// Failures that mean the replica is gone rather than slow: take it out of rotation at once.
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED'])
const TIMEOUTS = new Set(['FST_REPLY_FROM_GATEWAY_TIMEOUT', 'FST_REPLY_FROM_HTTP_REQUEST_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
const upstreamStart = Symbol('upstreamStart')

type TimedRequest = FastifyRequest & { [upstreamStart]?: number }

export async function predictRoutes (app: FastifyInstance, opts: PredictRouteOptions): Promise<void> {
  const registry = app.upstreams
  const chooseTarget = opts.chooseTarget ?? ((_request, modelId, reg) => reg.pick(modelId))

  app.addHook('onRequest', app.authenticate)
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', streamBodyParser(opts.maxBodyBytes))
  // @fastify/http-proxy's routes take no schema: add it here, for /openapi.json. Validation is the
  // service's job (the body is a stream here), so the route's validator accepts everything.
  app.addHook('onRoute', (route) => {
    route.schema = predictSchema
    route.validatorCompiler = () => () => true
  })

  app.addHook('preHandler', async (request) => {
    const { id } = request.params as { id: string }
    if (!registry.has(id)) {
      throw new ModelNotFound(`There is no model "${id}".`, { extra: { knownModels: registry.ids() } })
    }
    request.logFields.modelId = id
    const principal = request.principal
    if (principal === null || !mayCallModel(principal, id)) {
      const allowed = principal?.models?.join(', ') ?? 'none'
      throw new ForbiddenModel(`This credential may not call "${id}" (it may call: ${allowed}).`)
    }
    const target = chooseTarget(request, id, registry)
    if (target === undefined) {
      throw new ModelUnavailable(`Every replica of "${id}" is down; other models are not affected.`, {
        headers: { 'retry-after': String(opts.retryAfterSeconds) }
      })
    }
    request.target = target
    request.logFields.modelVersion = target.version
    request.logFields.upstream = target.replica
  })

  function onError (rawReply: unknown, { error }: { error: Error }): void {
    const reply = rawReply as FastifyReply
    const request = reply.request
    const target = request.target
    const err = error as Error & { code?: string, cause?: Error & { code?: string } }
    if (isProblemError(err.cause)) {
      reply.send(err.cause)
      return
    }
    const code = err.cause?.code ?? err.code ?? 'unknown'
    const model = target?.modelId ?? 'model'
    if (TIMEOUTS.has(code) || TIMEOUTS.has(err.code ?? '')) {
      reply.send(new UpstreamTimeout(`The ${model} service did not answer within ${opts.upstreamTimeoutMs} ms.`, { cause: err }))
      return
    }
    if (target !== null && CONNECTION_FAILURES.has(code)) registry.setState(target.replica, 'down', code)
    reply.send(new UpstreamFailed(`The ${model} service could not be reached (${code}).`, { cause: err }))
  }

  await app.register(httpProxy, {
    upstream: '',
    prefix: '/model/:id/predict',
    rewritePrefix: '/predict',
    // '' rather than '/': exactly /model/:id/predict, without a trailing-slash twin.
    routes: [''],
    httpMethods: ['POST'],
    proxyPayloads: false,
    disableRequestLogging: true,
    destroyAgent: true,
    undici: {
      connections: 128,
      pipelining: 1,
      headersTimeout: opts.upstreamTimeoutMs,
      bodyTimeout: opts.upstreamTimeoutMs,
      connectTimeout: Math.min(opts.upstreamTimeoutMs, 5000)
    },
    replyOptions: {
      getUpstream (request) {
        (request as TimedRequest)[upstreamStart] = performance.now()
        return (request as FastifyRequest).target?.replica ?? ''
      },
      rewriteRequestHeaders: (request, headers) => forwardHeaders(request as FastifyRequest, headers as Record<string, string>, { trustProxy: opts.trustProxy }),
      onResponse (request, reply, res) {
        const started = (request as TimedRequest)[upstreamStart]
        if (started !== undefined) (request as FastifyRequest).logFields.upstreamMs = Math.round((performance.now() - started) * 100) / 100
        reply.send(res.stream)
      },
      onError
    }
  })
}
