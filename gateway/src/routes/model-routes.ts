// Which routes name a model in their path, and which of them run an inference: for the access log,
// the per-model rate limit and the metrics.
import type { FastifyRequest } from 'fastify'

/** The predict route as Fastify names it (request.routeOptions.url). */
export const PREDICT_ROUTE = '/model/:id/predict'
/** The Open Inference Protocol's routes under one model. */
export const V2_MODEL_PREFIX = '/v2/models/:model'
const V2_INFER_ROUTES = new Set([`${V2_MODEL_PREFIX}/infer`, `${V2_MODEL_PREFIX}/versions/:version/infer`])

/** Whether a route names a model: predict, and everything under /v2/models/{model}. */
export function isModelRoute (url: string | undefined): boolean {
  return url === PREDICT_ROUTE || (url !== undefined && (url === V2_MODEL_PREFIX || url.startsWith(`${V2_MODEL_PREFIX}/`)))
}

/** Whether a route runs an inference: predict, or V2 infer. */
export function isInferenceRoute (url: string | undefined): boolean {
  return url === PREDICT_ROUTE || (url !== undefined && V2_INFER_ROUTES.has(url))
}

/** The model id a model route's path names, as sent (not checked against the routing table). */
export function modelIdParam (request: FastifyRequest): string | undefined {
  const params = request.params as { id?: unknown, model?: unknown } | undefined
  const id = params?.id ?? params?.model
  return typeof id === 'string' ? id : undefined
}
