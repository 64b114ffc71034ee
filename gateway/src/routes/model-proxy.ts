// What every route proxied to a model service shares: authenticate, resolve the model (and the
// version a request pins) to a healthy replica, stream the request to it with @fastify/http-proxy and
// relay its answer as is. POST /model/:id/predict and the Open Inference Protocol's /v2/models/…
// routes are two sets of such routes.
import httpProxy from '@fastify/http-proxy'
import { PROBLEM_CODE_HEADER, commonProblems, isProblemError } from '@modelgate/server-kit'
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import { mayCallModel } from '../auth/principal.ts'
import { ForbiddenModel, ModelNotFound, ModelOverloaded, ModelUnavailable, UpstreamFailed, UpstreamTimeout } from '../errors.ts'
import { type ChooseTarget, VERSION_HEADER, createTargetChooser } from '../routing/choose-target.ts'
import type { ShadowMirror } from '../shadow/mirror.ts'
import { type RouteTarget, SATURATED } from '../upstreams/registry.ts'
import { RequestBody, discardUnreadBody, streamBodyParser } from './body-stream.ts'
import { countBytes } from './count-bytes.ts'
import { forwardHeaders } from './forward-headers.ts'

export interface ModelProxyOptions {
  maxBodyBytes: number
  upstreamTimeoutMs: number
  /** Seconds a client is told to wait when every replica is down (Retry-After). */
  retryAfterSeconds: number
  /** UPSTREAM_MAX_IN_FLIGHT, for the refusal's message (the registry enforces it). */
  maxInFlight: number
  trustProxy: boolean
  /** The token the model services want (SERVICE_TOKEN's first), sent as Authorization: Bearer. */
  serviceToken?: string
  /**
   * Chooses version and replica for a request to a known model; undefined when none can serve.
   * The default pins the version the request names, sends the canary its share, and the rest to stable.
   */
  chooseTarget?: ChooseTarget
  /** Shadow traffic: samples routed requests, and mirrors them once answered. */
  mirror?: ShadowMirror
}

export interface ProxiedRoutes {
  /** The routes' common prefix, with the model id as the parameter `param`: /model/:id/predict. */
  prefix: string
  param: 'id' | 'model'
  /** The path on the service for the prefix (`:param` is filled in). */
  rewritePrefix: string
  /** Paths after the prefix ('' for the prefix itself). */
  routes: string[]
  httpMethods: Array<'GET' | 'POST'>
  /** Each route's schema, for /openapi.json (the body is a stream here: the service validates it). */
  schema: (url: string, method: string) => FastifySchema
}

// Failures that mean the replica is gone rather than slow: take it out of rotation at once.
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED'])
const TIMEOUTS = new Set(['FST_REPLY_FROM_GATEWAY_TIMEOUT', 'FST_REPLY_FROM_HTTP_REQUEST_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
// Failures to connect: the replica never saw the request, which may go to another one.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])
const upstreamStart = Symbol('upstreamStart')
const proxyCall = Symbol('proxyCall')

/** How @fastify/http-proxy called reply.from, to call it again for a retry. */
interface ProxyCall { dest: string, options: object }
type ProxiedRequest = FastifyRequest & { [upstreamStart]: number | null, [proxyCall]: ProxyCall | null }

/**
 * `options` with `more` added, for reply.from. Not `{ ...options, body }`: V8 (Node 20) gives every
 * object made by a spread and then given a new property a hidden class of its own. That cost a few
 * microseconds per request here, and left reply.from's reads of its options megamorphic: 15 % of the
 * gateway's CPU per proxied request. Object.assign builds the copy from the empty object's shape.
 */
function withOptions<T extends object, U extends object> (options: T, more: U): T & U {
  return Object.assign({}, options, more)
}

/** Registers one set of proxied routes in `app` (a scope of its own: its hooks and parsers stay there). */
export async function modelProxy (app: FastifyInstance, routes: ProxiedRoutes, opts: ModelProxyOptions): Promise<void> {
  const registry = app.upstreams
  const chooseTarget = opts.chooseTarget ?? createTargetChooser()
  const forwardOptions = { trustProxy: opts.trustProxy, ...(opts.serviceToken === undefined ? {} : { authorization: `Bearer ${opts.serviceToken}` }) }

  app.addHook('onRequest', app.authenticate)
  app.decorateRequest('shadowSample', null)
  // Declared, not added to each request: a property added afterwards gives every request object
  // another shape, and Fastify's code that reads requests falls off V8's fast paths.
  app.decorateRequest(upstreamStart, null)
  app.decorateRequest(proxyCall, null)
  const mirror = opts.mirror
  if (mirror !== undefined) {
    // Before the body parser: its first chunks may flow as soon as it reads, and the sample needs them all.
    app.addHook('preParsing', function sampleForShadow (request, _reply, payload, done) {
      mirror.sample(request, (request.params as Record<string, string>)[routes.param]!)
      done(null, payload)
    })
    app.addHook('onResponse', function mirrorToShadow (request, reply, done) {
      mirror.finish(request, reply)
      done()
    })
  }
  app.removeAllContentTypeParsers()
  // Fastify remembers the parser it found for a content type, but not the catch-all's: the types
  // clients send most are named, so they are not parsed anew on every request.
  const parseStream = streamBodyParser(opts.maxBodyBytes)
  for (const type of ['application/json', 'image/jpeg', 'image/png', 'image/webp', 'application/octet-stream', '*']) app.addContentTypeParser(type, parseStream)
  app.addHook('onSend', function discardBody (request, reply, payload, done) {
    discardUnreadBody(request, reply)
    done(null, payload)
  })
  // @fastify/http-proxy's routes take no schema: the docs get each route's from @fastify/swagger's
  // per-route transform, read when /openapi.json is built. As the route's own schema, Fastify would
  // validate every request against it, for nothing (the body is a stream here: validating it is the
  // service's job), at 3 to 6 % of the gateway's CPU per request.
  app.addHook('onRoute', (route) => {
    const schema = routes.schema(route.url, Array.isArray(route.method) ? route.method[0]! : route.method)
    route.config = { ...route.config, swaggerTransform: ({ url }) => ({ schema, url }) }
  })

  // Callback-style (a throw is the refusal): an async hook costs a promise and a microtask per request.
  app.addHook('preHandler', function routeToReplica (request, reply, done) {
    const id = (request.params as Record<string, string>)[routes.param]!
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
    if (target === SATURATED) {
      throw new ModelOverloaded(`Every replica of "${id}" has ${opts.maxInFlight} requests in flight (UPSTREAM_MAX_IN_FLIGHT).`, {
        headers: { 'retry-after': '1' }
      })
    }
    route(request, target)
    // The replica's in-flight count (the circuit breaker) holds until the answer is sent or the client leaves.
    reply.raw.once('close', () => { registry.release(request.target!.replica) })
    done()
  })

  function route (request: FastifyRequest, target: RouteTarget): void {
    registry.acquire(target.replica)
    request.target = target
    request.logFields.modelVersion = target.version
    request.logFields.upstream = target.replica
  }

  /**
   * Sends a request whose connection to its replica failed to another healthy replica of the same
   * version, once, and only when the replica cannot have seen it (no byte of the body read). False
   * when it cannot be retried.
   */
  function retry (reply: FastifyReply, failed: RouteTarget, code: string): boolean {
    const request = reply.request as ProxiedRequest
    const call = request[proxyCall]
    if (call === null || request.logFields.retriedFrom !== null || !NOT_SENT.has(code)) return false
    const next = registry.pick(failed.modelId, failed.track)
    if (next === undefined || next === SATURATED || next.replica === failed.replica) return false
    // A GET has no body; a body any byte of which was read cannot start over.
    if (request.body instanceof RequestBody) {
      const body = request.body.restart()
      if (body === undefined) return false
      request.body = body
    }
    registry.release(failed.replica)
    route(request, next)
    request.logFields.retriedFrom = failed.replica
    request.logFields.retryReason = code
    request[upstreamStart] = performance.now()
    reply.from(call.dest, withOptions(call.options, { getUpstream: () => next.replica }))
    return true
  }

  function onError (rawReply: unknown, { error }: { error: Error }): void {
    const reply = rawReply as FastifyReply
    const request = reply.request
    const target = request.target
    const err = error as Error & { code?: string, cause?: Error & { code?: string } }
    if (isProblemError(err.cause)) {
      reply.send(err.cause)
      return
    }
    // The client left mid-upload, or the server cut it for sending too slowly (REQUEST_TIMEOUT_MS):
    // the upstream request fails with it, but the replica did nothing wrong and stays in rotation.
    // Marking it down let any caller take a model offline by abandoning uploads.
    if (request.raw.socket?.destroyed === true) {
      reply.send(new commonProblems.RequestTimeout('The client closed the connection before the request arrived completely.', { cause: err }))
      return
    }
    const code = err.cause?.code ?? err.code ?? 'unknown'
    const model = target?.modelId ?? 'model'
    if (TIMEOUTS.has(code) || TIMEOUTS.has(err.code ?? '')) {
      if (target !== null) registry.recordOutcome(target, true)
      reply.send(new UpstreamTimeout(`The ${model} service did not answer within ${opts.upstreamTimeoutMs} ms.`, { cause: err }))
      return
    }
    if (target !== null && (CONNECTION_FAILURES.has(code) || NOT_SENT.has(code))) {
      registry.setState(target.replica, 'down', code)
      if (retry(reply, target, code)) return
    }
    reply.send(new UpstreamFailed(`The ${model} service could not be reached (${code}).`, { cause: err }))
  }

  await app.register(httpProxy, {
    upstream: '',
    prefix: routes.prefix,
    rewritePrefix: routes.rewritePrefix,
    routes: routes.routes,
    httpMethods: routes.httpMethods,
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
    handler (request, reply, dest, options) {
      // A body read whole (body-stream.ts) goes on as it came, Content-Type and all: given as the
      // request's body, reply-from would re-encode it by its type.
      const body = request.body
      const call = { dest, options: Buffer.isBuffer(body) ? withOptions(options, { body, contentType: request.headers['content-type'] }) : options }
      ;(request as ProxiedRequest)[proxyCall] = call
      reply.from(call.dest, call.options)
    },
    replyOptions: {
      getUpstream (request) {
        (request as ProxiedRequest)[upstreamStart] = performance.now()
        return (request as FastifyRequest).target?.replica ?? ''
      },
      rewriteRequestHeaders: (request, headers) => forwardHeaders(request as FastifyRequest, headers as Record<string, string>, forwardOptions),
      onResponse (rawRequest, reply, res) {
        const request = rawRequest as FastifyRequest
        const started = (request as ProxiedRequest)[upstreamStart]
        if (started !== null) request.logFields.upstreamMs = Math.round((performance.now() - started) * 100) / 100
        const status = (res as unknown as { statusCode: number }).statusCode
        if (request.target !== null) {
          reply.header(VERSION_HEADER, request.target.version)
          registry.recordOutcome(request.target, status >= 500 && status !== 503)
        }
        // A relayed problem's code, named by the service's kit (sendProblem, or the V2 error shape), so the body is not read.
        const code = (res as unknown as { headers: IncomingHttpHeaders }).headers[PROBLEM_CODE_HEADER]
        if (typeof code === 'string' && code !== '') request.errCode = code
        const sample = request.shadowSample
        reply.send(countBytes(res.stream, request.logFields, sample === null ? undefined : (chunk) => { sample.addAnswer(chunk) }))
      },
      onError
    }
  })
}
