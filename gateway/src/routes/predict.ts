// POST /model/:id/predict: authenticate, resolve the model and a healthy replica, then stream the
// request to that replica's POST /predict and relay its answer as is (model-proxy.ts).
import type { FastifyInstance } from 'fastify'
import { type ModelProxyOptions, modelProxy } from './model-proxy.ts'
import { PREDICT_ROUTE } from './model-routes.ts'
import { predictSchema } from './schemas.ts'

export type PredictRouteOptions = ModelProxyOptions

export async function predictRoutes (app: FastifyInstance, opts: PredictRouteOptions): Promise<void> {
  await modelProxy(app, {
    prefix: PREDICT_ROUTE,
    param: 'id',
    rewritePrefix: '/predict',
    // '' rather than '/': exactly /model/:id/predict, without a trailing-slash twin.
    routes: [''],
    httpMethods: ['POST'],
    schema: () => predictSchema
  }, opts)
}
