// Rate limits with @fastify/rate-limit: per principal on every limited route (a key's own limit, a
// stricter one for sessions, the client address when there is no credential), and per model across
// all callers. The limiter is a route-level hook, so it runs after the scope's authentication.
import rateLimit, { type FastifyRateLimitStoreCtor, normalizeIP } from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { RateLimited } from '../errors.ts'
import { type RedisFailureMode, redisStore } from '../limits/redis-store.ts'
import { MAX_LIMIT_KEYS } from '../limits/shared-counters.ts'
import { isModelRoute, modelIdParam } from '../routes/model-routes.ts'

export interface RateLimitOptions {
  /** Keys without a limit of their own, and identity-provider tokens (RATE_LIMIT_PER_MIN). */
  defaultPerMin: number
  sessionPerMin: number
  /** Requests without a credential, per client address. */
  anonymousPerMin: number
  /** Per model, all callers together; 0 turns it off. */
  modelPerMin: number
  /** Counters shared with other gateway processes; in this process's memory when absent. */
  redis?: Redis | undefined
  redisFailure: RedisFailureMode
  /** Without Redis, counters this gateway's workers share (held by its primary process). */
  store?: FastifyRateLimitStoreCtor | undefined
}

// The ConfigSchema defaults, for apps built without a config (tests); main.ts passes every value.
export const RATE_LIMIT_DEFAULTS: RateLimitOptions = { defaultPerMin: 600, sessionPerMin: 60, anonymousPerMin: 300, modelPerMin: 0, redisFailure: 'open' }

const WINDOW_MS = 60_000
// Orchestrators probe these every few seconds; they must never be refused.
const UNLIMITED_ROUTES = new Set(['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready'])

function principalKey (request: FastifyRequest): string {
  const p = request.principal
  return p === null ? `ip:${normalizeIP(request.ip)}` : `${p.type}:${p.id}`
}

function whose (request: FastifyRequest): string {
  const type = request.principal?.type
  if (request.routeOptions.url === '/auth/session') return 'new sessions from this address'
  return type === undefined ? 'this address' : type === 'key' ? 'this key' : type === 'session' ? 'this session' : 'this token'
}

export const rateLimits = fp<Partial<RateLimitOptions>>(async function rateLimits (app, partial) {
  const opts = { ...RATE_LIMIT_DEFAULTS, ...partial }
  const limitFor = (request: FastifyRequest): number => {
    const p = request.principal
    if (p === null) return opts.anonymousPerMin
    return p.rateLimitPerMin ?? (p.type === 'session' ? opts.sessionPerMin : opts.defaultPerMin)
  }

  app.addHook('onRoute', (route: RouteOptions) => {
    if (UNLIMITED_ROUTES.has(route.url)) route.config = { ...route.config, rateLimit: false }
  })

  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: WINDOW_MS,
    max: limitFor,
    keyGenerator: principalKey,
    cache: MAX_LIMIT_KEYS,
    ...(opts.redis !== undefined
      ? { store: redisStore({ redis: opts.redis, failureMode: opts.redisFailure, log: app.log }), skipOnError: opts.redisFailure === 'open' }
      : opts.store !== undefined ? { store: opts.store } : {}),
    errorResponseBuilder (request, context) {
      request.logFields.rateLimited = true
      return new RateLimited(`Over the limit of ${context.max} ${context.max === 1 ? 'request' : 'requests'} a minute for ${whose(request)}; retry in ${context.after}.`, {
        extra: { limit: context.max, scope: request.routeOptions.url === '/auth/session' ? 'session-mint' : 'principal' }
      })
    }
  })

  if (opts.modelPerMin <= 0) return
  // A second counter on model routes; @fastify/rate-limit runs one limiter per route by itself.
  const modelLimit = app.createRateLimit({
    max: opts.modelPerMin,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => `model:${modelIdParam(request) ?? ''}`
  })
  async function limitModel (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = modelIdParam(request)
    // Unknown ids get 404 later; counting them would let anyone fill the store with made-up models.
    if (id === undefined || !app.upstreams.has(id)) return
    const result = await modelLimit(request)
    if (result.isAllowed || !result.isExceeded) return
    reply.header('x-ratelimit-limit', result.max).header('x-ratelimit-remaining', 0)
      .header('x-ratelimit-reset', result.ttlInSeconds).header('retry-after', result.ttlInSeconds)
    request.logFields.rateLimited = true
    throw new RateLimited(`Model "${id}" is over its limit of ${result.max} requests a minute from all callers; retry in ${result.ttlInSeconds} s.`, {
      extra: { limit: result.max, scope: 'model' }
    })
  }
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isModelRoute(route.url)) return
    const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]
    route.onRequest = [...hooks, limitModel]
  })
}, { name: 'rate-limit', fastify: '5.x', dependencies: ['auth', 'upstreams', 'access-log'] })
