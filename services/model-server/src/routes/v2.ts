// The Open Inference Protocol's REST routes (KServe V2, as KServe, Triton and MLServer speak it) for
// this service's one model: health, server and model metadata, readiness and inference. An inference
// takes preprocessed FP32 tensors (JSON or binary), which go to onnxruntime through the micro-batcher
// as they are, or base64 images (BYTES), which go through predict's own decoding and limits.
import { readFileSync } from 'node:fs'
import { type App, useV2Errors } from '@modelgate/server-kit'
import Type from 'typebox'
import type { Bundle } from '../bundle/load-bundle.ts'
import { ModelNotFound, ModelNotReady, ModelVersionNotFound } from '../errors.ts'
import { decodeForModel } from '../image/decode.ts'
import type { Classifier } from '../inference/classifier.ts'
import { topK } from '../inference/postprocess.ts'
import type { ServiceMetrics } from '../metrics.ts'
import { type InferResult, type TensorModel, readInferRequest, writeInferResponse } from '../v2/codec.ts'

export interface V2RouteOptions {
  bundle: Bundle
  classifier: () => Classifier | undefined
  metrics: ServiceMetrics
  maxBodyBytes: number
  maxImagePixels: number
  maxBatch: number
  /** Counts requests between arrival and the classifier, so batching knows whether to wait. */
  pipeline: { inFlight: number }
}

/** Extensions this service implements (Triton's names), listed by GET /v2. */
export const V2_EXTENSIONS = ['classification', 'binary_tensor_data']
const SERVER_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

const ModelParamsSchema = Type.Object({ model: Type.String(), version: Type.Optional(Type.String()) })

export async function v2Routes (app: App, opts: V2RouteOptions): Promise<void> {
  const { manifest, labels } = opts.bundle
  const model: TensorModel = {
    inputName: manifest.input.name,
    outputName: manifest.output.name,
    width: manifest.input.width,
    height: manifest.input.height,
    classes: manifest.classes,
    maxBatch: opts.maxBatch
  }
  useV2Errors(app)
  // The body is read whole (JSON, or JSON followed by binary tensors) and parsed by the codec.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_request, body, done) => { done(null, body) })

  const ready = (): Classifier => {
    const classifier = opts.classifier()
    if (classifier === undefined) throw new ModelNotReady('The model is loading or warming up.', { headers: { 'retry-after': '2' } })
    return classifier
  }
  const checkModel = (params: { model: string, version?: string | undefined }): void => {
    if (params.model !== manifest.id) throw new ModelNotFound(`This service serves the model "${manifest.id}", not "${params.model}".`)
    if (params.version !== undefined && params.version !== manifest.version) {
      throw new ModelVersionNotFound(`The model "${manifest.id}" is at version ${manifest.version} here, not ${params.version}.`)
    }
  }

  app.get('/v2/health/live', async () => ({ live: true }))
  app.get('/v2/health/ready', async () => {
    ready()
    return { ready: true }
  })
  app.get('/v2', async () => ({ name: 'modelgate', version: SERVER_VERSION, extensions: V2_EXTENSIONS }))

  const metadata = {
    name: manifest.id,
    versions: [manifest.version],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: model.inputName, datatype: 'FP32', shape: [-1, 3, model.height, model.width] }],
    outputs: [{ name: model.outputName, datatype: 'FP32', shape: [-1, model.classes] }]
  }
  for (const base of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
    app.get(base, { schema: { params: ModelParamsSchema } }, async (request) => {
      checkModel(request.params)
      return metadata
    })
    app.get(`${base}/ready`, { schema: { params: ModelParamsSchema } }, async (request) => {
      checkModel(request.params)
      ready()
      return { name: manifest.id, ready: true }
    })
    app.post(`${base}/infer`, { schema: { params: ModelParamsSchema } }, async (request, reply) => {
      checkModel(request.params)
      const classifier = ready()
      const header = request.headers['inference-header-content-length']
      const plan = readInferRequest(request.body as Buffer, typeof header === 'string' ? Number(header) : undefined, model)
      const rows = plan.input.kind === 'tensor'
        ? await classifyTensors(classifier, plan.input.data, plan.input.count)
        : await classifyImages(classifier, plan.input.images)
      const result: InferResult = {
        model: { name: manifest.id, version: manifest.version },
        id: plan.id,
        rows: rows.map((probabilities) => ({ probabilities, ranked: (k) => topK(probabilities, labels, k) }))
      }
      const { body, headerLength } = writeInferResponse(plan, result, model)
      if (headerLength !== undefined) reply.header('inference-header-content-length', headerLength).type('application/octet-stream')
      else reply.type('application/json')
      return await reply.send(body)
    })
  }

  /** Each image's tensor through the micro-batcher, with the other requests' images. */
  async function classifyTensors (classifier: Classifier, data: Float32Array, count: number): Promise<Float64Array[]> {
    const size = data.length / count
    const results = await Promise.all(Array.from({ length: count }, async (_, i) => await classifier.classifyTensor(data.subarray(i * size, (i + 1) * size))))
    for (const r of results) {
      opts.metrics.observeStage('queue', r.queueMs)
      opts.metrics.observeStage('inference', r.inferenceMs)
    }
    return results.map((r) => r.probabilities)
  }

  /** Each base64 image decoded and preprocessed by this model's pipeline, with predict's limits. */
  async function classifyImages (classifier: Classifier, images: Buffer[]): Promise<Float64Array[]> {
    opts.pipeline.inFlight += images.length
    let decoded
    try {
      decoded = await Promise.all(images.map(async (bytes) => {
        const started = performance.now()
        const pixels = await decodeForModel(bytes, manifest.input, { maxPixels: opts.maxImagePixels })
        opts.metrics.observeStage('decode', performance.now() - started)
        return pixels
      }))
    } finally {
      opts.pipeline.inFlight -= images.length
    }
    const results = await Promise.all(decoded.map(async (pixels) => await classifier.classify(pixels, 1)))
    for (const r of results) {
      opts.metrics.observeStage('preprocess', r.preprocessMs)
      opts.metrics.observeStage('queue', r.queueMs)
      opts.metrics.observeStage('inference', r.inferenceMs)
    }
    return results.map((r) => r.probabilities)
  }
}
