import multipart from '@fastify/multipart'
import { type App, type ProblemError, buildServer, createRegistry, health, metrics, serviceAuth } from '@modelgate/server-kit'
import type { FastifyBaseLogger, FastifyError } from 'fastify'
import type { Bundle } from './bundle/load-bundle.ts'
import type { Config } from './config.ts'
import { ImageTooLarge, ImageUnsupportedType, ModelNotReady } from './errors.ts'
import type { FetchImage } from './image/fetch-image.ts'
import type { Classifier } from './inference/classifier.ts'
import { type ServiceMetrics, createServiceMetrics } from './metrics.ts'
import { metadataRoute } from './routes/metadata.ts'
import { predictRoute } from './routes/predict.ts'
import { v2Routes } from './routes/v2.ts'

export interface ModelServerOptions {
  config: Pick<Config, 'LOG_LEVEL' | 'MAX_BODY_BYTES' | 'MAX_IMAGE_PIXELS' | 'REQUEST_TIMEOUT_MS' | 'BATCH_MAX_SIZE' | 'BATCH_MAX_WAIT_MS'>
  bundle: Bundle
  /** The loaded classifier; undefined while the model loads (readyz and predict answer 503). */
  classifier: () => Classifier | undefined
  fetchImage: FetchImage
  /** SERVICE_TOKEN's tokens: with any, every route but the probes wants one of them (only the gateway calls). */
  serviceTokens?: string[]
  loggerInstance?: FastifyBaseLogger
}

export interface ModelServer {
  app: App
  metrics: ServiceMetrics
  /** Requests being fetched or decoded: hand to the classifier as `upcoming`. */
  upcoming: () => number
}

// Body and media-type failures of an image service speak of images.
function mapError (error: FastifyError): ProblemError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ImageTooLarge('The request body is over the size limit.')
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ImageUnsupportedType('Send JSON, an image/* body, or multipart/form-data with an "image" file.')
  }
  return undefined
}

/** The model service's Fastify app, unstarted: request id, access log, errors, health, metrics, routes. */
export function buildModelServer (opts: ModelServerOptions): ModelServer {
  const { config, bundle } = opts
  const app = buildServer({
    name: `model-server:${bundle.manifest.id}`,
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.MAX_BODY_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    mapError,
    ...(opts.loggerInstance === undefined ? {} : { loggerInstance: opts.loggerInstance })
  })
  const registry = createRegistry(`model-server-${bundle.manifest.id}`)
  registry.setDefaultLabels({ service: `model-server-${bundle.manifest.id}`, model: bundle.manifest.id, version: bundle.manifest.version })
  const pipeline = { inFlight: 0 }
  const serviceMetrics = createServiceMetrics(registry, () => opts.classifier()?.queueDepth() ?? 0)

  if (opts.serviceTokens !== undefined && opts.serviceTokens.length > 0) {
    app.register(serviceAuth, { tokens: opts.serviceTokens, open: ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready'] })
  }
  app.register(multipart, { limits: { fileSize: config.MAX_BODY_BYTES } })
  app.register(health, {
    isReady: () => opts.classifier() !== undefined,
    notReady: () => new ModelNotReady('The model is loading or warming up.')
  })
  app.register(metrics, { registry })
  app.register(async (scope) => {
    metadataRoute(scope, bundle, { maxSize: config.BATCH_MAX_SIZE, maxWaitMs: config.BATCH_MAX_WAIT_MS })
    predictRoute(scope, {
      bundle,
      classifier: opts.classifier,
      fetchImage: opts.fetchImage,
      metrics: serviceMetrics,
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxImagePixels: config.MAX_IMAGE_PIXELS,
      pipeline
    })
  })
  app.register(v2Routes, {
    bundle,
    classifier: opts.classifier,
    metrics: serviceMetrics,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxImagePixels: config.MAX_IMAGE_PIXELS,
    maxBatch: config.BATCH_MAX_SIZE,
    pipeline
  })
  return { app, metrics: serviceMetrics, upcoming: () => pipeline.inFlight }
}
