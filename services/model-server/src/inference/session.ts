import { InferenceSession, Tensor } from './onnxruntime.ts'

export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all'

export interface SessionOptions {
  /** Threads one operator may use (0: onnxruntime's default, one per core). */
  intraOpThreads: number
  /** Threads for running independent operators in parallel (0: default). */
  interOpThreads: number
  graphOptimization: GraphOptimization
}

export interface ModelSession {
  /** Runs a batch of `count` images packed NCHW in `data`; returns `count` rows of `classes` scores. */
  run: (data: Float32Array, count: number) => Promise<Float32Array>
  release: () => Promise<void>
}

export interface SessionShape {
  inputName: string
  outputName: string
  width: number
  height: number
  classes: number
}

/** Loads an ONNX model once into an onnxruntime-node session on the CPU. */
export async function createSession (modelPath: string, shape: SessionShape, opts: SessionOptions): Promise<ModelSession> {
  const session = await InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: opts.graphOptimization,
    ...(opts.intraOpThreads > 0 ? { intraOpNumThreads: opts.intraOpThreads } : {}),
    ...(opts.interOpThreads > 0 ? { interOpNumThreads: opts.interOpThreads } : {})
  })
  if (!session.inputNames.includes(shape.inputName)) {
    throw new Error(`the model has no input named "${shape.inputName}" (it has ${session.inputNames.join(', ')})`)
  }
  if (!session.outputNames.includes(shape.outputName)) {
    throw new Error(`the model has no output named "${shape.outputName}" (it has ${session.outputNames.join(', ')})`)
  }
  return {
    async run (data, count) {
      const input = new Tensor('float32', data.subarray(0, count * 3 * shape.width * shape.height), [count, 3, shape.height, shape.width])
      const results = await session.run({ [shape.inputName]: input }, [shape.outputName])
      const output = results[shape.outputName]
      if (output === undefined || output.data.length !== count * shape.classes) {
        throw new Error(`the model answered ${output?.data.length ?? 0} scores for ${count} images of ${shape.classes} classes`)
      }
      return output.data as Float32Array
    },
    release: async () => { await session.release() }
  }
}
