// One model of `pnpm models compare`, in a process of its own so that its peak RSS is its own: loads
// the bundle, classifies every image (top 5) as a model service does, then times inference at batch 1
// and batch 8 on the images it took. Talks to its parent over IPC (scripts/models/compare.ts).
import { readFile, stat } from 'node:fs/promises'
import { loadBundle } from '../../services/model-server/src/bundle/load-bundle.ts'
import { decodeForModel } from '../../services/model-server/src/image/decode.ts'
import { toProbabilities, topK } from '../../services/model-server/src/inference/postprocess.ts'
import { writeTensor } from '../../services/model-server/src/inference/preprocess.ts'
import { createSession } from '../../services/model-server/src/inference/session.ts'

export interface WorkerRequest {
  bundleDir: string
  images: string[]
  /** Timed runs at batch 1 and at batch 8. */
  runs: { batch1: number, batch8: number }
}

export type ImageResult = { file: string, predictions: Array<{ label: string, probability: number }> } | { file: string, error: string }

export interface WorkerResult {
  id: string
  version: string
  classes: number
  fileBytes: number
  peakRssBytes: number
  images: ImageResult[]
  /** Milliseconds of each timed run (inference only: the same decoded images for both models). */
  batch1Ms: number[]
  batch8Ms: number[]
}

export type WorkerMessage = { type: 'step' } | { type: 'done', result: WorkerResult } | { type: 'failed', message: string }

// As a model service: its default MAX_BODY_BYTES and MAX_IMAGE_PIXELS.
const MAX_FILE_BYTES = 16 * 1024 * 1024
const MAX_PIXELS = 40_000_000
const BATCH = 8

const send = (message: WorkerMessage): void => { process.send?.(message) }

async function run (request: WorkerRequest): Promise<WorkerResult> {
  const bundle = await loadBundle(request.bundleDir)
  const { input, output, classes } = bundle.manifest
  const imageSize = 3 * input.width * input.height
  const session = await createSession(bundle.modelPath, { inputName: input.name, outputName: output.name, width: input.width, height: input.height, classes }, {
    intraOpThreads: 0, interOpThreads: 0, graphOptimization: 'all'
  })
  const tensors: Float32Array[] = []
  const images: ImageResult[] = []
  for (const file of request.images) {
    try {
      const { size } = await stat(file)
      if (size > MAX_FILE_BYTES) throw Object.assign(new Error(`the file is ${size} bytes, over a service's limit of ${MAX_FILE_BYTES}`), { code: 'IMAGE_TOO_LARGE' })
      const pixels = await decodeForModel(await readFile(file), input, { maxPixels: MAX_PIXELS })
      const tensor = new Float32Array(imageSize)
      writeTensor(pixels, input, tensor)
      const scores = await session.run(tensor, 1)
      tensors.push(tensor)
      images.push({ file, predictions: topK(toProbabilities(scores, output.activation), bundle.labels, 5).map(({ label, probability }) => ({ label, probability })) })
    } catch (err) {
      const { code, message } = err as { code?: string, message: string }
      images.push({ file, error: code === undefined ? message : `${code}: ${message}` })
    }
    send({ type: 'step' })
  }
  const batch1Ms: number[] = []
  const batch8Ms: number[] = []
  if (tensors.length > 0) {
    const batch = new Float32Array(BATCH * imageSize)
    for (let i = 0; i < BATCH; i++) batch.set(tensors[i % tensors.length]!, i * imageSize)
    // Warm-up at both sizes, untimed: the first runs allocate.
    await session.run(batch, 1)
    await session.run(batch, BATCH)
    for (const [count, runs, times] of [[1, request.runs.batch1, batch1Ms], [BATCH, request.runs.batch8, batch8Ms]] as const) {
      for (let i = 0; i < runs; i++) {
        const one = tensors[i % tensors.length]!
        if (count === 1) batch.set(one)
        const started = performance.now()
        await session.run(batch, count)
        times.push(performance.now() - started)
        send({ type: 'step' })
      }
    }
  }
  await session.release()
  return {
    id: bundle.manifest.id,
    version: bundle.manifest.version,
    classes,
    fileBytes: (await stat(bundle.modelPath)).size,
    // Kilobytes on Linux; the most this process held at once, the model loaded and running.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    images,
    batch1Ms,
    batch8Ms
  }
}

process.once('message', (request: WorkerRequest) => {
  run(request).then((result) => { send({ type: 'done', result }) }, (err: unknown) => {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
  }).finally(() => { process.disconnect?.() })
})
