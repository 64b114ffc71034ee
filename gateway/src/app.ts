import { type App, buildServer, commonProblems, createRegistry, health } from '@modelgate/server-kit'
import type { FastifyBaseLogger } from 'fastify'
import { AggregatorRegistry } from 'prom-client'
import { createApiKeyAuthenticator } from './auth/api-key-authenticator.ts'
import type { KeyStore } from './auth/key-store.ts'
import type { Authenticator } from './auth/principal.ts'
import type { SessionTokens } from './auth/session-tokens.ts'
import { createUsageRecorder } from './auth/usage-recorder.ts'
import type { PrimaryLink } from './cluster/link.ts'
import type { Config, UpstreamsFile } from './config.ts'
import { auth } from './plugins/auth.ts'
import { docs } from './plugins/docs.ts'
import { type RateLimitOptions, rateLimits } from './plugins/rate-limit.ts'
import { gatewayMetrics } from './plugins/gateway-metrics.ts'
import { requestLog } from './plugins/request-log.ts'
import { upstreams } from './plugins/upstreams.ts'
import { security } from './plugins/security.ts'
import { usage } from './plugins/usage.ts'
import { modelRoutes } from './routes/models.ts'
import { opsRoutes } from './routes/ops.ts'
import { type PredictRouteOptions, predictRoutes } from './routes/predict.ts'
import { sessionRoutes } from './routes/session.ts'
import { v2Routes } from './routes/v2.ts'
import { createShadowMirror } from './shadow/mirror.ts'
import { ShadowWindow } from './shadow/shadow-window.ts'
import { type RegistryOptions, UpstreamRegistry } from './upstreams/registry.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Shadow comparisons over the last minutes (GET /ops/summary). */
    shadowWindow: ShadowWindow
  }
}

export type GatewayConfig = Pick<Config, 'LOG_LEVEL' | 'MAX_BODY_BYTES' | 'REQUEST_TIMEOUT_MS' | 'UPSTREAM_TIMEOUT_MS' |
'UPSTREAM_MAX_IN_FLIGHT' | 'UPSTREAM_EJECT_AFTER' | 'UPSTREAM_EJECT_MS' | 'HEALTH_INTERVAL_MS' | 'HEALTH_TIMEOUT_MS' | 'KEY_CACHE_MS' | 'USAGE_FLUSH_MS' | 'TRUST_PROXY' | 'SHADOW_MAX_BODY_BYTES' | 'SHADOW_MAX_IN_FLIGHT'>

export interface GatewayOptions {
  config: GatewayConfig
  keyStore: KeyStore
  /** The routing table: a checked upstreams file, or a registry the caller keeps (to reload it). */
  upstreams: UpstreamsFile | UpstreamRegistry
  /** Further authenticators, asked after API keys (JWT sessions, an identity provider). */
  authenticators?: Authenticator[]
  chooseTarget?: PredictRouteOptions['chooseTarget']
  /** Anonymous browser sessions: POST /auth/session mints them, their tokens authenticate; no route when absent. */
  sessions?: SessionTokens
  /** Sessions one client address may mint per minute (SESSION_RATE_LIMIT); default 30. */
  sessionMintsPerMin?: number
  /** Rate limits; what is absent takes the documented defaults, counted in memory unless `redis` is given. */
  rateLimits?: Partial<RateLimitOptions>
  /** Browser origins allowed to call the gateway (CORS); none by default. */
  corsOrigins?: string[]
  /** The token the model services want (SERVICE_TOKEN's first): sent on every call to them. */
  serviceToken?: string
  loggerInstance?: FastifyBaseLogger
  /** When this is one of several gateway workers (GATEWAY_WORKERS): its number, and its link to the others. */
  worker?: { id: number, link: Pick<PrimaryLink, 'metrics' | 'windows'> }
  /** The clock for key expiry and usage days (tests move it). */
  now?: () => number
  version?: string
}

/** The routing table's limits from the configuration: in-flight requests per replica, outlier ejection. */
export function registryOptions (config: GatewayConfig, now: () => number = Date.now): RegistryOptions {
  return { now, maxInFlight: config.UPSTREAM_MAX_IN_FLIGHT, ejectAfter: config.UPSTREAM_EJECT_AFTER, ejectMs: config.UPSTREAM_EJECT_MS }
}

/** The gateway's Fastify app, unstarted. Plugins are registered in the order a request meets them. */
export function buildGateway (opts: GatewayOptions): App {
  const { config, keyStore } = opts
  const now = opts.now ?? Date.now
  const registry = opts.upstreams instanceof UpstreamRegistry ? opts.upstreams : new UpstreamRegistry(opts.upstreams, registryOptions(config, now))
  const app = buildServer({
    name: 'gateway',
    logLevel: config.LOG_LEVEL,
    // Only the predict body is large, and it is streamed under its own limit (routes/body-stream.ts).
    bodyLimit: config.MAX_BODY_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    trustProxy: config.TRUST_PROXY,
    ...(opts.loggerInstance === undefined ? {} : { loggerInstance: opts.loggerInstance }),
    ...(opts.worker === undefined ? {} : { logBase: { worker: opts.worker.id } })
  })

  app.register(security, { corsOrigins: opts.corsOrigins ?? [] })
  app.register(docs, { version: opts.version ?? '0.1.0' })
  app.register(auth, {
    authenticators: [
      createApiKeyAuthenticator({ store: keyStore, cacheMs: config.KEY_CACHE_MS, now }),
      ...(opts.sessions === undefined ? [] : [opts.sessions.authenticator]),
      ...(opts.authenticators ?? [])
    ]
  })
  const serviceAuthorization = opts.serviceToken === undefined ? undefined : { authorization: `Bearer ${opts.serviceToken}` }
  app.register(upstreams, {
    registry,
    healthIntervalMs: config.HEALTH_INTERVAL_MS,
    healthTimeoutMs: config.HEALTH_TIMEOUT_MS,
    ...(serviceAuthorization === undefined ? {} : { headers: serviceAuthorization })
  })
  // Limits every route registered after it (a route-level hook, so after each scope's authentication).
  app.register(rateLimits, opts.rateLimits ?? {})
  app.register(requestLog)
  const metricsRegistry = createRegistry('gateway')
  const link = opts.worker?.link
  if (link !== undefined) {
    // The primary sums the workers' registries (prom-client's cluster aggregation): this one is this worker's.
    void new AggregatorRegistry()
    AggregatorRegistry.setRegistries([metricsRegistry])
  }
  app.register(gatewayMetrics, { registry: metricsRegistry, now, ...(link === undefined ? {} : { collect: link.metrics }) })
  app.register(usage, {
    recorder: createUsageRecorder({
      store: keyStore,
      flushMs: config.USAGE_FLUSH_MS,
      now,
      onError: (err) => app.log.warn({ err }, 'usage not written, will retry')
    })
  })
  const isReady = async (): Promise<boolean> => await keyStore.ping().then(() => true, () => false)
  app.register(health, {
    isReady,
    notReady: () => new commonProblems.ServiceNotReady('The key store does not answer.')
  })
  app.register(modelRoutes)
  if (opts.sessions !== undefined) app.register(sessionRoutes, { sessions: opts.sessions, mintsPerMin: opts.sessionMintsPerMin ?? 30 })
  const shadows = new ShadowWindow(now)
  app.decorate('shadowWindow', shadows)
  app.register(opsRoutes, { now, shadows, ...(link === undefined ? {} : { windows: link.windows }) })
  const proxyOptions = {
    maxBodyBytes: config.MAX_BODY_BYTES,
    upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    retryAfterSeconds: Math.max(1, Math.ceil(config.HEALTH_INTERVAL_MS / 1000)),
    maxInFlight: config.UPSTREAM_MAX_IN_FLIGHT,
    trustProxy: config.TRUST_PROXY,
    ...(opts.serviceToken === undefined ? {} : { serviceToken: opts.serviceToken }),
    ...(opts.chooseTarget === undefined ? {} : { chooseTarget: opts.chooseTarget })
  }
  const mirror = createShadowMirror({
    registry,
    window: shadows,
    metrics: metricsRegistry,
    log: app.log,
    ...(opts.serviceToken === undefined ? {} : { serviceToken: opts.serviceToken }),
    maxBodyBytes: config.SHADOW_MAX_BODY_BYTES,
    maxInFlight: config.SHADOW_MAX_IN_FLIGHT,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS
  })
  app.addHook('onClose', async () => { await mirror.close() })
  app.register(predictRoutes, { ...proxyOptions, mirror })
  app.register(v2Routes, { ...proxyOptions, version: opts.version ?? '0.1.0', isReady })
  return app
}
