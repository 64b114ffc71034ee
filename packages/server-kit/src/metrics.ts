import type { onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { PlainCounter, PlainHistogram } from './plain-metrics.ts'

export interface MetricsOptions {
  registry: Registry
  /** Guards GET /metrics (e.g. authentication, then an admin check); open when absent. */
  authorize?: onRequestHookHandler | onRequestHookHandler[]
  /** What GET /metrics answers, when not this registry's own metrics (the sum of several processes'). */
  collect?: () => Promise<string>
}

/** A registry with the process's default metrics (memory, event loop lag, GC). */
export function createRegistry (service: string): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  return registry
}

/** GET /metrics in Prometheus text format, and request count and latency by route, status and code. */
export const metrics = fp<MetricsOptions>(async function metrics (app, opts) {
  const requests = new PlainCounter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, status and problem code',
    labelNames: ['method', 'route', 'status', 'code'] as const,
    registers: [opts.registry]
  })
  const duration = new PlainHistogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [opts.registry]
  })
  // Routes, statuses and codes are bounded sets. Callback-style: no promise per request.
  app.addHook('onResponse', function observeRequest (request, reply, done) {
    const route = request.routeOptions.url ?? 'unmatched'
    const status = String(reply.statusCode)
    requests.series([request.method, route, status, request.errCode ?? '']).inc()
    duration.series([request.method, route, status]).observe(reply.elapsedTime / 1000)
    done()
  })
  app.get('/metrics', {
    ...(opts.authorize === undefined ? {} : { onRequest: opts.authorize })
  }, async (request, reply) => {
    return reply.type(opts.registry.contentType).send(await (opts.collect ?? (async () => await opts.registry.metrics()))())
  })
}, { name: 'metrics', fastify: '5.x', dependencies: ['access-log'] })
