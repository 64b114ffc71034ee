// The gateway's fields on the kit's one access line per request (docs/logging.md, the dashboards'
// contract): every line carries every field, null where it does not apply.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isModelRoute, modelIdParam } from '../routes/model-routes.ts'

/** The known model a model route names, even when the request was refused before being routed (401, 429). */
export function requestModelId (request: FastifyRequest): string | null {
  if (typeof request.logFields.modelId === 'string') return request.logFields.modelId
  if (!isModelRoute(request.routeOptions.url)) return null
  const id = modelIdParam(request)
  // Only ids in the routing table: a client must not make up log values and metric labels.
  return id !== undefined && request.server.upstreams.has(id) ? id : null
}

export const requestLog = fp(async function requestLog (app) {
  // Callback-style hooks: an async one costs a promise and a microtask turn per request.
  app.addHook('onRequest', function defaultLogFields (request, _reply, done) {
    const fields = request.logFields
    fields.modelId ??= null
    fields.modelVersion ??= null
    fields.upstream ??= null
    fields.upstreamMs ??= null
    fields.retriedFrom ??= null
    fields.retryReason ??= null
    fields.principal ??= null
    fields.rateLimited ??= false
    done()
  })
  // onSend, not onResponse: the kit writes the line in its own onResponse hook, which runs first.
  app.addHook('onSend', function finishLogFields (request, reply, payload, done) {
    const fields = request.logFields
    fields.modelId = requestModelId(request)
    fields.rateLimited = fields.rateLimited === true || reply.statusCode === 429
    done(null, payload)
  })
}, { name: 'request-log', fastify: '5.x', dependencies: ['access-log', 'upstreams'] })
