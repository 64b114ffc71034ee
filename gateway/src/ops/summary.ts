// GET /ops/summary's answer: the ops window's numbers per model beside the routing table's versions,
// canary weight and replica health. The web UI's ops page reads exactly this shape.
import Type, { type Static } from 'typebox'
import type { TrackName, UpstreamRegistry } from '../upstreams/registry.ts'
import type { OpsWindow } from './ops-window.ts'

const ReplicaSchema = Type.Object({ url: Type.String(), healthy: Type.Boolean({ description: 'its last /readyz check passed' }) })
const Ms = Type.Union([Type.Number(), Type.Null()], { description: 'milliseconds; null without requests' })

export const ModelOpsSchema = Type.Object({
  id: Type.String(),
  requestsPerSecond: Type.Number({ description: 'requests over the window (or the uptime, if shorter), per second' }),
  latencyMs: Type.Object({ p50: Ms, p95: Ms, p99: Ms }, { description: 'of requests routed to a model version' }),
  errorRate: Type.Number({ description: 'share of requests answered 5xx, 0..1' }),
  rateLimited: Type.Integer({ description: '429 answers' }),
  requests: Type.Integer(),
  stable: Type.Object({ version: Type.String(), replicas: Type.Array(ReplicaSchema) }),
  canary: Type.Union([Type.Object({ version: Type.String(), weight: Type.Number({ description: 'percent of traffic' }), replicas: Type.Array(ReplicaSchema) }), Type.Null()]),
  series: Type.Array(Type.Object({
    t: Type.Integer({ description: 'start of a 10 s bucket, epoch seconds' }),
    requests: Type.Integer(),
    errors: Type.Integer({ description: '5xx answers' }),
    rateLimited: Type.Integer(),
    p95Ms: Ms
  }), { description: 'every 10 s bucket of the window, oldest first' })
})

export const OpsSummarySchema = Type.Object({
  windowSeconds: Type.Integer(),
  generatedAt: Type.String({ format: 'date-time' }),
  models: Type.Array(ModelOpsSchema)
})
export type OpsSummary = Static<typeof OpsSummarySchema>

function replicas (registry: UpstreamRegistry, id: string, track: TrackName): Array<{ url: string, healthy: boolean }> {
  return registry.replicas(id, track).map((r) => ({ url: r.url, healthy: r.state === 'up' }))
}

export function buildOpsSummary (window: OpsWindow, registry: UpstreamRegistry, now: number): OpsSummary {
  const ids = registry.ids()
  window.retain(ids)
  return {
    windowSeconds: window.windowSeconds,
    generatedAt: new Date(now).toISOString(),
    models: ids.map((id) => {
      const canary = registry.canary(id)
      return {
        id,
        ...window.summarize(id),
        stable: { version: registry.version(id) ?? 'unknown', replicas: replicas(registry, id, 'stable') },
        canary: canary === undefined ? null : { version: canary.version, weight: canary.weight, replicas: replicas(registry, id, 'canary') }
      }
    })
  }
}
