import type { App } from '@modelgate/server-kit'
import { ModelNotFound } from '../errors.ts'
import type { UpstreamRegistry } from '../upstreams/registry.ts'
import { type Model, ModelIdParamsSchema, ModelListSchema, ModelSchema, PUBLIC, problem } from './schemas.ts'

const RATE_LIMITED = problem('RATE_LIMITED: over the limit for callers without a credential (per address); Retry-After')

/** One model as GET /models shows it: what its service reported (/metadata) and its health now. */
export function describeModel (registry: UpstreamRegistry, id: string): Model {
  const metadata = registry.metadata(id)
  const model: Model = { id, version: registry.version(id) ?? metadata?.version ?? 'unknown', status: registry.status(id) }
  if (metadata !== undefined) {
    model.name = metadata.name
    model.classes = metadata.classes
    model.input = { width: metadata.input.width, height: metadata.input.height }
  }
  return model
}

/** GET /models and GET /models/:id: the public model catalogue. */
export async function modelRoutes (app: App): Promise<void> {
  const registry = app.upstreams
  app.get('/models', {
    schema: {
      operationId: 'listModels',
      summary: 'List the models',
      tags: ['models'],
      security: PUBLIC,
      response: { 200: ModelListSchema, 429: RATE_LIMITED }
    }
  }, async () => ({ models: registry.ids().map((id) => describeModel(registry, id)) }))

  app.get('/models/:id', {
    schema: {
      operationId: 'getModel',
      summary: 'Describe one model',
      tags: ['models'],
      security: PUBLIC,
      params: ModelIdParamsSchema,
      response: { 200: ModelSchema, 404: problem('MODEL_NOT_FOUND, with knownModels'), 429: RATE_LIMITED }
    }
  }, async (request) => {
    const { id } = request.params
    if (!registry.has(id)) throw new ModelNotFound(`There is no model "${id}".`, { extra: { knownModels: registry.ids() } })
    return describeModel(registry, id)
  })
}
