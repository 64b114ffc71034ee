import type { App } from '@modelgate/server-kit'
import type { Bundle } from '../bundle/load-bundle.ts'
import { BodyInvalid, ModelNotReady } from '../errors.ts'
import { type Pixels, decodeForModel } from '../image/decode.ts'
import type { FetchImage } from '../image/fetch-image.ts'
import { readPredictInput } from '../image/read-input.ts'
import type { Classifier } from '../inference/classifier.ts'
import type { ServiceMetrics } from '../metrics.ts'
import { PredictBodySchema, PredictQuerySchema, PredictResponseSchema } from './schemas.ts'

export interface PredictRouteOptions {
  bundle: Bundle
  classifier: () => Classifier | undefined
  fetchImage: FetchImage
  metrics: ServiceMetrics
  maxBodyBytes: number
  maxImagePixels: number
  /** Counts requests between arrival and the classifier, so batching knows whether to wait. */
  pipeline: { inFlight: number }
}

const round = (ms: number): number => Math.round(ms * 100) / 100

/** POST /predict: image in (JSON url or base64, raw image/*, multipart), top-k classes out. */
export function predictRoute (app: App, opts: PredictRouteOptions): void {
  const { manifest } = opts.bundle
  // Only JSON, images and forms are accepted here; text bodies get 415.
  app.removeContentTypeParser('text/plain')
  for (const type of ['application/octet-stream', /^image\/.*/]) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (request, body, done) => { done(null, body) })
  }

  app.post('/predict', {
    schema: {
      querystring: PredictQuerySchema,
      body: { content: { 'application/json': { schema: PredictBodySchema } } },
      response: { 200: PredictResponseSchema }
    }
  }, async (request) => {
    const started = performance.now()
    const classifier = opts.classifier()
    if (classifier === undefined) throw new ModelNotReady('The model is still loading.', { headers: { 'retry-after': '2' } })
    const input = await readPredictInput(request, opts.maxBodyBytes)
    const k = request.query.topk ?? input.topk ?? 5
    if (k > manifest.classes) {
      throw new BodyInvalid(`topk is ${k} but the model has ${manifest.classes} classes.`, {
        extra: { errors: [{ path: 'topk', message: `must be at most ${manifest.classes}` }] }
      })
    }
    let fetchMs = 0
    let decodeMs = 0
    let pixels: Pixels
    opts.pipeline.inFlight++
    try {
      let bytes: Buffer
      if ('url' in input.source) {
        const fetched = await opts.fetchImage(input.source.url)
        bytes = fetched.bytes
        fetchMs = fetched.fetchMs
        opts.metrics.observeStage('fetch', fetchMs)
      } else {
        bytes = input.source.bytes
      }
      const decodeStarted = performance.now()
      pixels = await decodeForModel(bytes, manifest.input, { maxPixels: opts.maxImagePixels })
      decodeMs = performance.now() - decodeStarted
    } finally {
      opts.pipeline.inFlight--
    }
    const result = await classifier.classify(pixels, k)
    opts.metrics.observeStage('decode', decodeMs)
    opts.metrics.observeStage('preprocess', result.preprocessMs)
    opts.metrics.observeStage('queue', result.queueMs)
    opts.metrics.observeStage('inference', result.inferenceMs)
    return {
      model: { id: manifest.id, name: manifest.name, version: manifest.version },
      predictions: result.predictions,
      timing: {
        fetchMs: round(fetchMs),
        decodeMs: round(decodeMs),
        preprocessMs: round(result.preprocessMs),
        queueMs: round(result.queueMs),
        inferenceMs: round(result.inferenceMs),
        totalMs: round(performance.now() - started)
      }
    }
  })
}
