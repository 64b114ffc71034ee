// GET /ops/summary's answer: the ops window's numbers per model beside the routing table's versions,
// canary weight and replica health. The web UI's ops page reads exactly this shape.
import Type, { type Static } from 'typebox'
import type { TrackName, UpstreamRegistry } from '../upstreams/registry.ts'
import type { ShadowWindow } from '../shadow/shadow-window.ts'
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
  shadow: Type.Union([Type.Object({
    target: Type.String({ description: 'the shadow: another model\'s id, or <id>@<version>' }),
    percent: Type.Number({ description: 'percent of predict requests mirrored' }),
    sampled: Type.Integer({ description: 'requests sampled over the window: compared + failed + skipped' }),
    compared: Type.Integer(),
    skipped: Type.Integer({ description: 'not sent: the primary did not answer 200, the body was over SHADOW_MAX_BODY_BYTES, or SHADOW_MAX_IN_FLIGHT were on their way' }),
    failed: Type.Integer({ description: 'sent, and no answer to compare: no shadow replica up, an error, a timeout, a 429' }),
    top1Agreement: Type.Union([Type.Number(), Type.Null()], { description: 'share of compared requests with the same top-1 class, 0..1' }),
    top5Overlap: Type.Union([Type.Number(), Type.Null()], { description: 'mean share of the top 5 classes both answers hold, 0..1' }),
    meanAbsTop1ProbabilityDelta: Type.Union([Type.Number(), Type.Null()], { description: 'mean |top-1 probability of one − of the other|' }),
    latencyMs: Type.Object({
      primary: Type.Object({ p50: Ms, p95: Ms }),
      shadow: Type.Object({ p50: Ms, p95: Ms })
    }, { description: 'each service\'s own time (timing.totalMs) on compared requests' })
  }), Type.Null()], { description: 'shadow traffic and how the shadow compares; null without a shadow' }),
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

function shadowOf (registry: UpstreamRegistry, id: string, shadows: ShadowWindow | undefined): OpsSummary['models'][number]['shadow'] {
  const shadow = registry.shadow(id)
  if (shadow === undefined || shadows === undefined) return null
  return { target: shadow.label, percent: shadow.percent, ...shadows.summarize(id) }
}

function replicas (registry: UpstreamRegistry, id: string, track: TrackName): Array<{ url: string, healthy: boolean }> {
  return registry.replicas(id, track).map((r) => ({ url: r.url, healthy: r.state === 'up' }))
}

export function buildOpsSummary (window: OpsWindow, registry: UpstreamRegistry, now: number, shadows?: ShadowWindow): OpsSummary {
  const ids = registry.ids()
  window.retain(ids)
  shadows?.retain(ids.filter((id) => registry.shadow(id) !== undefined))
  return {
    windowSeconds: window.windowSeconds,
    generatedAt: new Date(now).toISOString(),
    models: ids.map((id) => {
      const canary = registry.canary(id)
      return {
        id,
        ...window.summarize(id),
        stable: { version: registry.version(id) ?? 'unknown', replicas: replicas(registry, id, 'stable') },
        canary: canary === undefined ? null : { version: canary.version, weight: canary.weight, replicas: replicas(registry, id, 'canary') },
        shadow: shadowOf(registry, id, shadows)
      }
    })
  }
}
