// Decides whether a model's inputs and outputs are something the model service can feed and read:
// one float32 image input [batch, 3, height, width] and one float32 class-score output [batch, classes].
import { ModelsError } from './errors.ts'
import type { OnnxInfo, TensorInfo } from './onnx-info.ts'

export interface ServingShape {
  input: TensorInfo
  output: TensorInfo
  width: number
  height: number
  classes: number
  /** Things that work but limit how the model can be served. */
  warnings: string[]
}

const isFixed = (dim: number | string | undefined): dim is number => typeof dim === 'number' && dim > 0
const formatShape = (shape: TensorInfo['shape']): string => `[${shape.join(', ')}]`

/** `size` is the square input size to use when the model leaves height and width dynamic. */
export async function readServingShape (info: OnnxInfo, opts: { size?: number, output?: string }): Promise<ServingShape> {
  const warnings: string[] = []
  if (info.inputs.length !== 1) {
    throw new ModelsError(`The model has ${info.inputs.length} inputs (${info.inputs.map((i) => i.name).join(', ')}); the service feeds exactly one image tensor.`)
  }
  const input = info.inputs[0] as TensorInfo
  const [batch, channels, height, width] = input.shape
  if (input.type !== 'float32') throw new ModelsError(`Input "${input.name}" is ${input.type}; the service feeds float32.`)
  if (input.shape.length !== 4 || channels !== 3) {
    const nhwc = input.shape.length === 4 && input.shape[3] === 3
    throw new ModelsError(`Input "${input.name}" has shape ${formatShape(input.shape)}; the service feeds [batch, 3, height, width] (NCHW, RGB).` +
      (nhwc ? ' It looks channels-last (NHWC): export the model with NCHW input.' : ''))
  }
  if (isFixed(batch)) warnings.push(`input "${input.name}" has a fixed batch of ${batch}: run its service with micro-batching off (a batch of 1)`)
  const size = resolveSize(input, height, width, opts.size)

  const output = pickOutput(info.outputs, opts.output)
  if (output.type !== 'float32') throw new ModelsError(`Output "${output.name}" is ${output.type}; the service reads float32 class scores.`)
  let dims = output.shape
  if (dims.length < 2 || !dims.slice(1).every(isFixed)) {
    // Class count not written in the graph: run one zero image to learn it.
    dims = await info.probe(input, size.width, size.height, output.name)
  }
  const classes = dims[1]
  if (dims.length < 2 || !isFixed(classes) || dims.slice(2).some((dim) => dim !== 1)) {
    throw new ModelsError(`Output "${output.name}" has shape ${formatShape(dims)}; the service reads class scores shaped [batch, classes].`)
  }
  return { input, output, ...size, classes, warnings }
}

function resolveSize (input: TensorInfo, height: number | string | undefined, width: number | string | undefined,
  size: number | undefined): { width: number, height: number } {
  if (isFixed(height) && isFixed(width)) {
    if (size !== undefined && (size !== width || size !== height)) {
      throw new ModelsError(`Input "${input.name}" is fixed at ${width}x${height}; --size ${size} does not match (leave --size out).`)
    }
    return { width, height }
  }
  if (size === undefined) {
    throw new ModelsError(`Input "${input.name}" has shape ${formatShape(input.shape)} with a dynamic height or width: give the size the model was trained at with --size N.`)
  }
  return { width: isFixed(width) ? width : size, height: isFixed(height) ? height : size }
}

function pickOutput (outputs: TensorInfo[], name: string | undefined): TensorInfo {
  const names = outputs.map((o) => o.name).join(', ')
  if (name !== undefined) {
    const found = outputs.find((o) => o.name === name)
    if (found === undefined) throw new ModelsError(`The model has no output "${name}"; its outputs are ${names}.`)
    return found
  }
  if (outputs.length !== 1) {
    throw new ModelsError(`The model has ${outputs.length} outputs (${names}): name the one holding the class scores with --output NAME.`)
  }
  return outputs[0] as TensorInfo
}
