import type { Bundle } from '../bundle/load-bundle.ts'
import type { Pixels } from '../image/decode.ts'
import { type Batcher, createBatcher } from './batcher.ts'
import { type Prediction, toProbabilities, topK } from './postprocess.ts'
import { writeTensor } from './preprocess.ts'
import { type ModelSession, type SessionOptions, createSession } from './session.ts'

export interface ClassifierOptions extends SessionOptions {
  maxBatch: number
  maxWaitMs: number
  maxQueue: number
  /** Images on their way to the classifier (being fetched or decoded); see createBatcher. */
  upcoming?: () => number
}

export interface Classification {
  predictions: Prediction[]
  /** All class probabilities, in output order. */
  probabilities: Float64Array
  preprocessMs: number
  queueMs: number
  inferenceMs: number
}

export interface Classifier {
  readonly bundle: Bundle
  classify: (pixels: Pixels, k: number) => Promise<Classification>
  /** One image already preprocessed (3 × height × width, NCHW), through the micro-batcher as it is. */
  classifyTensor: (tensor: Float32Array) => Promise<TensorClassification>
  /** Images waiting for a batch. */
  queueDepth: () => number
  close: () => Promise<void>
}

export interface TensorClassification {
  /** All class probabilities, in output order. */
  probabilities: Float64Array
  queueMs: number
  inferenceMs: number
}

interface Job {
  tensor: Float32Array
  enqueuedAt: number
}

interface JobResult {
  row: Float32Array
  queueMs: number
  inferenceMs: number
}

/** Loads the bundle's model, warms it up (batch 1 and a full batch), and classifies decoded images. */
export async function createClassifier (bundle: Bundle, opts: ClassifierOptions, onBatch?: (size: number) => void): Promise<Classifier> {
  const { input, output, classes } = bundle.manifest
  const imageSize = 3 * input.width * input.height
  const session: ModelSession = await createSession(bundle.modelPath, {
    inputName: input.name, outputName: output.name, width: input.width, height: input.height, classes
  }, opts)
  // One reusable input buffer for a whole batch; jobs are copied in just before a run.
  const batchBuffer = new Float32Array(opts.maxBatch * imageSize)

  async function runBatch (jobs: Job[]): Promise<JobResult[]> {
    const started = performance.now()
    jobs.forEach((job, i) => batchBuffer.set(job.tensor, i * imageSize))
    const scores = await session.run(batchBuffer, jobs.length)
    const inferenceMs = performance.now() - started
    return jobs.map((job, i) => ({
      row: scores.slice(i * classes, (i + 1) * classes),
      queueMs: started - job.enqueuedAt,
      inferenceMs
    }))
  }

  await session.run(batchBuffer, 1)
  if (opts.maxBatch > 1) await session.run(batchBuffer, opts.maxBatch)

  const batcher: Batcher<Job, JobResult> = createBatcher({
    maxBatch: opts.maxBatch,
    maxWaitMs: opts.maxWaitMs,
    maxQueue: opts.maxQueue,
    run: runBatch,
    upcoming: opts.upcoming,
    onBatch
  })

  async function classifyTensor (tensor: Float32Array): Promise<TensorClassification> {
    if (tensor.length !== imageSize) throw new Error(`a tensor of ${tensor.length} values, not ${imageSize}`)
    const result = await batcher.submit({ tensor, enqueuedAt: performance.now() })
    return { probabilities: toProbabilities(result.row, output.activation), queueMs: result.queueMs, inferenceMs: result.inferenceMs }
  }

  return {
    bundle,
    async classify (pixels, k) {
      const started = performance.now()
      const tensor = new Float32Array(imageSize)
      writeTensor(pixels, input, tensor)
      const preprocessMs = performance.now() - started
      const result = await classifyTensor(tensor)
      return { ...result, predictions: topK(result.probabilities, bundle.labels, k), preprocessMs }
    },
    classifyTensor,
    queueDepth: () => batcher.depth(),
    close: () => session.release()
  }
}
