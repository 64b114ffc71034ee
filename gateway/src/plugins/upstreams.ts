import fp from 'fastify-plugin'
import { type HealthChecker, createHealthChecker } from '../upstreams/health-check.ts'
import type { RouteTarget, UpstreamRegistry } from '../upstreams/registry.ts'

export interface UpstreamsOptions {
  registry: UpstreamRegistry
  healthIntervalMs: number
  healthTimeoutMs: number
  /** Sent with every request to a replica (the service token). */
  headers?: Record<string, string>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Models, versions, replicas and their health. */
    upstreams: UpstreamRegistry
    healthChecker: HealthChecker
  }
  interface FastifyRequest {
    /** The model, version and replica a predict request was routed to; null until routed. */
    target: RouteTarget | null
  }
}

/** Decorates app.upstreams and keeps replica health current from start (first round awaited) to close. */
export const upstreams = fp<UpstreamsOptions>(async function upstreams (app, opts) {
  const checker = createHealthChecker({
    registry: opts.registry,
    intervalMs: opts.healthIntervalMs,
    timeoutMs: opts.healthTimeoutMs,
    log: app.log,
    ...(opts.headers === undefined ? {} : { headers: opts.headers })
  })
  app.decorate('upstreams', opts.registry)
  app.decorate('healthChecker', checker)
  app.decorateRequest('target', null)
  app.addHook('onReady', async () => { await checker.start() })
  app.addHook('onClose', async () => { checker.stop() })
}, { name: 'upstreams', fastify: '5.x' })
