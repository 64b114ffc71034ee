// Which version of a model serves a request: the one the client pins (`/versions/{version}` in an
// Open Inference Protocol path, or `x-model-version`), else
// the canary for its share of traffic (only while a health check has found a canary replica up),
// else the stable version.
import type { FastifyRequest } from 'fastify'
import { ModelVersionNotFound } from '../errors.ts'
import { type RouteTarget, SATURATED, type UpstreamRegistry } from '../upstreams/registry.ts'

export const VERSION_HEADER = 'x-model-version'

export interface TargetChooserOptions {
  /** A number in [0, 1); tests pass a seeded one. */
  random?: () => number
}

/** The replica for a request; undefined when none can serve, SATURATED when all that could are at their limit. */
export type ChooseTarget = (request: FastifyRequest, modelId: string, registry: UpstreamRegistry) => RouteTarget | typeof SATURATED | undefined

/** The version a request pins, if any; several headers or an empty one pin nothing valid. */
export function pinnedVersion (request: FastifyRequest): string | undefined {
  const inPath = (request.params as { version?: unknown } | undefined)?.version
  if (typeof inPath === 'string') return inPath
  const value = request.headers[VERSION_HEADER]
  if (value === undefined) return undefined
  return Array.isArray(value) ? value.join(',') : value.trim()
}

/** Builds the `chooseTarget` of the predict route. */
export function createTargetChooser (opts: TargetChooserOptions = {}): ChooseTarget {
  const random = opts.random ?? Math.random
  return function chooseTarget (request, modelId, registry) {
    const pinned = pinnedVersion(request)
    if (pinned !== undefined) {
      const versions = registry.versions(modelId)
      const match = versions.find((v) => v.version === pinned)
      if (match === undefined) {
        const known = versions.map((v) => v.version)
        throw new ModelVersionNotFound(`Model "${modelId}" has no version "${pinned}" (it has: ${known.join(', ')}).`, {
          extra: { knownVersions: known }
        })
      }
      return registry.pick(modelId, match.track)
    }
    const canary = registry.canary(modelId)
    // weight is a percentage; random() < 1, so weight 0 never and weight 100 always picks the canary.
    if (canary !== undefined && canary.weight > 0 && random() * 100 < canary.weight) {
      const target = registry.pick(modelId, 'canary', { upOnly: true })
      if (target !== undefined && target !== SATURATED) return target
    }
    return registry.pick(modelId, 'stable')
  }
}
