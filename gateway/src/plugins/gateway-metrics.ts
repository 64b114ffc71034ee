// The ops dashboards' numbers: Prometheus metrics on GET /metrics (admin only) and the in-process
// ops window behind GET /ops/summary, both fed from one observation per finished request.
import { PlainCounter, PlainHistogram, metrics } from '@modelgate/server-kit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, type Registry } from 'prom-client'
import { OpsWindow } from '../ops/ops-window.ts'
import { isInferenceRoute } from '../routes/model-routes.ts'
import type { RouteTarget, UpstreamRegistry } from '../upstreams/registry.ts'
import { requestModelId } from './request-log.ts'

export interface GatewayMetricsOptions {
  registry: Registry
  now?: () => number
  /** GET /metrics' answer when this is one of several gateway workers: all of theirs, summed. */
  collect?: () => Promise<string>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Per-model request statistics over the last minutes (GET /ops/summary). */
    opsWindow: OpsWindow
  }
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** Gauges read from the routing table when /metrics is scraped. */
function routingGauges (registry: Registry, upstreams: UpstreamRegistry): Array<Gauge<string>> {
  const up = new Gauge({
    name: 'gateway_upstream_up',
    help: 'Replica health from the last /readyz check: 1 up, 0 down or not yet checked',
    labelNames: ['model', 'track', 'version', 'upstream'] as const,
    registers: [registry],
    // Each gateway worker checks on its own: up when one of them found it up.
    aggregator: 'max',
    collect () {
      this.reset()
      for (const id of upstreams.ids()) {
        for (const track of ['stable', 'canary'] as const) {
          const version = upstreams.version(id, track)
          if (version === undefined) continue
          for (const r of upstreams.replicas(id, track)) this.set({ model: id, track, version, upstream: r.url }, r.state === 'up' ? 1 : 0)
        }
      }
    }
  })
  const weight = new Gauge({
    name: 'gateway_canary_weight_percent',
    help: 'Share of a model\'s traffic routed to its canary, as configured',
    labelNames: ['model', 'version'] as const,
    registers: [registry],
    aggregator: 'max',
    collect () {
      this.reset()
      for (const id of upstreams.ids()) {
        const canary = upstreams.canary(id)
        if (canary !== undefined) this.set({ model: id, version: canary.version }, canary.weight)
      }
    }
  })
  return [up, weight]
}

export const gatewayMetrics = fp<GatewayMetricsOptions>(async function gatewayMetrics (app, opts) {
  const registry = opts.registry
  const window = new OpsWindow(opts.now)
  app.decorate('opsWindow', window)

  // The kit's GET /metrics, behind an admin credential: labels name models, versions and replicas.
  await app.register(metrics, {
    registry,
    ...(opts.collect === undefined ? {} : { collect: opts.collect }),
    authorize: [app.authenticate, app.requireAdmin]
  })

  const registers = { registers: [registry] }
  const requests = new PlainCounter({ ...registers, name: 'gateway_requests_total', help: 'Inference requests (predict and V2 infer) by model, status and principal type (model "" when the id is unknown)', labelNames: ['model', 'status', 'principal_type'] as const })
  const routed = new PlainCounter({ ...registers, name: 'gateway_routed_requests_total', help: 'Inference requests routed to a model version, by model, version and track: the canary share', labelNames: ['model', 'version', 'track'] as const })
  const rateLimited = new PlainCounter({ ...registers, name: 'gateway_rate_limited_total', help: '429 answers by model ("" off the predict route) and principal type', labelNames: ['model', 'principal_type'] as const })
  const duration = new PlainHistogram({ ...registers, name: 'gateway_request_duration_seconds', help: 'Whole response time of inference requests routed to a model version (refusals before routing excluded)', labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS })
  const upstreamDuration = new PlainHistogram({ ...registers, name: 'gateway_upstream_duration_seconds', help: 'From sending an inference request to a model service to its response headers', labelNames: ['model', 'version'] as const, buckets: LATENCY_BUCKETS })
  const overloaded = new PlainCounter({ ...registers, name: 'gateway_overloaded_total', help: 'Inference requests refused with 503 MODEL_OVERLOADED: every replica had UPSTREAM_MAX_IN_FLIGHT requests (circuit breaking)', labelNames: ['model'] as const })
  const ejections = new Counter({ ...registers, name: 'gateway_upstream_ejections_total', help: 'Replicas taken out of rotation after UPSTREAM_EJECT_AFTER failed answers in a row (outlier ejection)', labelNames: ['model', 'version', 'upstream'] as const })
  const countEjection = (target: RouteTarget): void => { ejections.inc({ model: target.modelId, version: target.version, upstream: target.replica }) }
  app.upstreams.on('eject', countEjection)
  app.addHook('onClose', async () => { app.upstreams.off('eject', countEjection) })
  routingGauges(registry, app.upstreams)

  app.addHook('onResponse', function observeRequest (request, reply, done) {
    observe(request, reply)
    done()
  })

  // Models, versions and tracks come from the routing table, statuses and principal types are few: bounded.
  function observe (request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode
    const principalType = request.principal?.type ?? 'anonymous'
    const modelId = requestModelId(request)
    if (status === 429) rateLimited.series([modelId ?? '', principalType]).inc()
    if (!isInferenceRoute(request.routeOptions.url)) return
    requests.series([modelId ?? '', String(status), principalType]).inc()
    if (modelId === null) return
    if (request.errCode === 'MODEL_OVERLOADED') overloaded.series([modelId]).inc()
    const target = request.target
    if (target === null) {
      window.record(modelId, { statusCode: status })
      return
    }
    routed.series([modelId, target.version, target.track]).inc()
    duration.series([modelId, target.version]).observe(reply.elapsedTime / 1000)
    const upstreamMs = request.logFields.upstreamMs
    if (typeof upstreamMs === 'number') upstreamDuration.series([modelId, target.version]).observe(upstreamMs / 1000)
    window.record(modelId, { statusCode: status, latencyMs: reply.elapsedTime })
  }
}, { name: 'gateway-metrics', fastify: '5.x', dependencies: ['auth', 'upstreams', 'request-log'] })
