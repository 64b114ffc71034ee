// Reads a model's inputs and outputs through onnxruntime-node: the same runtime that will serve it, so
// a model it cannot load is refused here rather than when the service starts.
import { ModelsError } from './errors.ts'

export interface TensorInfo {
  name: string
  /** Element type ('float32', ...), or 'non-tensor' for sequences and maps. */
  type: string
  /** Numbers for fixed dimensions, strings (or -1) for dynamic ones. */
  shape: ReadonlyArray<number | string>
}

export interface OnnxInfo {
  inputs: TensorInfo[]
  outputs: TensorInfo[]
  /** Runs one zero image through the model and returns the shape of `output`. */
  probe (input: TensorInfo, width: number, height: number, output: string): Promise<number[]>
  close (): Promise<void>
}

export async function readOnnxInfo (file: string): Promise<OnnxInfo> {
  // Loaded on demand: `pull` must work where the native runtime is not installed.
  const { InferenceSession, Tensor } = await import('../../services/model-server/src/inference/onnxruntime.ts')
  let session: Awaited<ReturnType<typeof InferenceSession.create>>
  try {
    session = await InferenceSession.create(file, { graphOptimizationLevel: 'basic' })
  } catch (err) {
    throw new ModelsError(`${file} cannot be loaded by onnxruntime-node: ${(err as Error).message}`)
  }
  const describe = (meta: (typeof session.inputMetadata)[number]): TensorInfo => meta.isTensor
    ? { name: meta.name, type: meta.type, shape: [...meta.shape] }
    : { name: meta.name, type: 'non-tensor', shape: [] }
  return {
    inputs: session.inputMetadata.map(describe),
    outputs: session.outputMetadata.map(describe),
    async probe (input, width, height, output) {
      const data = new Float32Array(3 * width * height)
      const result = await session.run({ [input.name]: new Tensor('float32', data, [1, 3, height, width]) }, [output])
      return [...(result[output]?.dims ?? [])]
    },
    async close () { await session.release() }
  }
}
