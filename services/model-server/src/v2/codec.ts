// The Open Inference Protocol (KServe V2) for one image classifier: reading an inference request (JSON,
// or JSON followed by binary tensors as in Triton's binary tensor data extension) into what to run, and
// writing the response. Pure functions: routes/v2.ts runs the model. Shapes follow the spec
// (kserve/open-inference-protocol, specification/protocol/inference_rest.md) and Triton's extensions
// (docs/protocol/extension_binary_data.md, extension_classification.md).
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import { BodyInvalid, ImageMissing } from '../errors.ts'
import { decodeBase64 } from '../image/read-input.ts'
import type { Prediction } from '../inference/postprocess.ts'

/** The one input and output of a bundle's model, as V2 metadata describes them. */
export interface TensorModel {
  inputName: string
  outputName: string
  width: number
  height: number
  classes: number
  maxBatch: number
}

const Parameters = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))

export const InferRequestSchema = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Parameters),
  inputs: Type.Array(Type.Object({
    name: Type.String({ minLength: 1 }),
    shape: Type.Array(Type.Integer({ minimum: 0 })),
    datatype: Type.String({ minLength: 1 }),
    parameters: Type.Optional(Parameters),
    data: Type.Optional(Type.Unknown())
  }), { minItems: 1 }),
  outputs: Type.Optional(Type.Array(Type.Object({
    name: Type.String({ minLength: 1 }),
    parameters: Type.Optional(Parameters)
  })))
})
export type InferRequest = Static<typeof InferRequestSchema>

/** What one inference request asks for. */
export interface InferPlan {
  id: string | undefined
  /** `count` preprocessed images, NCHW, or encoded images to decode and preprocess. */
  input: { kind: 'tensor', count: number, data: Float32Array } | { kind: 'images', images: Buffer[] }
  outputs: Array<{ classification: number | undefined, binary: boolean }>
}

const invalid = (message: string, path: string): InstanceType<typeof BodyInvalid> =>
  new BodyInvalid(message, { extra: { errors: [{ path, message }] } })

/**
 * Reads a request body: JSON, or (with `headerLength`, Inference-Header-Content-Length) a JSON header
 * followed by the binary data of the inputs that carry `binary_data_size`.
 */
export function readInferRequest (body: Buffer, headerLength: number | undefined, model: TensorModel): InferPlan {
  if (headerLength !== undefined && (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > body.length)) {
    throw invalid(`Inference-Header-Content-Length is ${headerLength}, but the body has ${body.length} bytes.`, 'headers/inference-header-content-length')
  }
  const jsonEnd = headerLength ?? body.length
  let json: unknown
  try {
    json = JSON.parse(body.subarray(0, jsonEnd).toString('utf8'))
  } catch (err) {
    throw invalid(`The inference request is not JSON (${(err as Error).message}).`, 'body')
  }
  const first = [...Value.Errors(InferRequestSchema, json)][0]
  if (first !== undefined) throw invalid(`${first.instancePath || 'body'} ${first.message}`, `body${first.instancePath}`)
  const request = json as InferRequest
  const binary = body.subarray(jsonEnd)
  if (request.inputs.length !== 1) throw invalid(`This model takes one input; the request has ${request.inputs.length}.`, 'body/inputs')
  const input = request.inputs[0]!
  const binarySize = input.parameters?.binary_data_size
  if (binarySize !== undefined && binarySize !== binary.length) {
    throw invalid(`inputs[0] declares binary_data_size ${String(binarySize)}, but ${binary.length} bytes follow the JSON.`, 'body/inputs/0/parameters/binary_data_size')
  }
  if (binarySize === undefined && binary.length > 0) throw invalid(`${binary.length} bytes follow the JSON, but no input declares binary_data_size.`, 'body')
  return {
    id: request.id,
    input: input.datatype === 'BYTES' ? readImages(input, model) : readTensor(input, binarySize === undefined ? undefined : binary, model),
    outputs: readOutputs(request, model)
  }
}

function readTensor (input: InferRequest['inputs'][number], binary: Buffer | undefined, model: TensorModel): InferPlan['input'] {
  const path = 'body/inputs/0'
  if (input.datatype !== 'FP32') throw invalid(`inputs[0] has datatype ${input.datatype}; this model takes FP32 tensors, or BYTES (encoded images).`, `${path}/datatype`)
  if (input.name !== model.inputName) throw invalid(`inputs[0] is named "${input.name}"; this model's input is "${model.inputName}".`, `${path}/name`)
  const [count = 0, ...rest] = input.shape
  const expected = [3, model.height, model.width]
  if (input.shape.length !== 4 || rest.some((d, i) => d !== expected[i])) {
    throw invalid(`inputs[0] has shape [${input.shape.join(', ')}]; this model takes [N, ${expected.join(', ')}].`, `${path}/shape`)
  }
  checkCount(count, model, `${path}/shape/0`)
  const size = count * 3 * model.height * model.width
  const data = new Float32Array(size)
  if (binary !== undefined) {
    if (binary.length !== size * 4) throw invalid(`inputs[0] has shape [${input.shape.join(', ')}]: ${size * 4} bytes of FP32, not ${binary.length}.`, `${path}/parameters/binary_data_size`)
    // Little-endian, as the extension says; copied so that the floats are aligned.
    new Uint8Array(data.buffer).set(binary)
  } else {
    const written = flattenNumbers(input.data, data, `${path}/data`)
    if (written !== size) throw invalid(`inputs[0] has shape [${input.shape.join(', ')}] (${size} values), but its data holds ${written}.`, `${path}/data`)
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw invalid(`inputs[0] holds a value that is not a finite number, at ${i}.`, `${path}/data`)
  }
  return { kind: 'tensor', count, data }
}

/** Writes the numbers of a (possibly nested) JSON array into `out` in order; returns how many there were. */
function flattenNumbers (data: unknown, out: Float32Array, path: string): number {
  if (!Array.isArray(data)) throw invalid('inputs[0] has no data array (or binary_data_size).', path)
  let n = 0
  const stack: unknown[][] = [data]
  const indexes = [0]
  while (stack.length > 0) {
    const array = stack.at(-1)!
    const i = indexes.at(-1)!
    if (i >= array.length) {
      stack.pop()
      indexes.pop()
      continue
    }
    indexes[indexes.length - 1] = i + 1
    const value = array[i]
    if (Array.isArray(value)) {
      stack.push(value)
      indexes.push(0)
    } else {
      if (typeof value !== 'number') throw invalid(`inputs[0] data holds ${JSON.stringify(value)?.slice(0, 40)}, not a number.`, path)
      // Counted past the end too, so a long array is told by its length rather than cut short.
      if (n < out.length) out[n] = value
      n++
    }
  }
  return n
}

function readImages (input: InferRequest['inputs'][number], model: TensorModel): InferPlan['input'] {
  const path = 'body/inputs/0'
  if (input.parameters?.content_type !== 'base64') {
    throw invalid('A BYTES input holds encoded images as base64: mark it with "parameters": {"content_type": "base64"}.', `${path}/parameters/content_type`)
  }
  if (input.shape.length !== 1) throw invalid(`inputs[0] has shape [${input.shape.join(', ')}]; BYTES images take [N].`, `${path}/shape`)
  if (!Array.isArray(input.data)) throw invalid('inputs[0] has no data array.', `${path}/data`)
  const elements = (input.data as unknown[]).flat(Infinity)
  if (elements.length !== input.shape[0]) throw invalid(`inputs[0] has shape [${input.shape[0]}], but its data holds ${elements.length} images.`, `${path}/data`)
  checkCount(elements.length, model, `${path}/shape/0`)
  const images = elements.map((element, i) => {
    if (typeof element !== 'string') throw invalid(`inputs[0] data[${i}] is not a base64 string.`, `${path}/data/${i}`)
    const bytes = decodeBase64(element, `${path}/data/${i}`)
    if (bytes.length === 0) throw new ImageMissing(`inputs[0] data[${i}] is empty.`)
    return bytes
  })
  return { kind: 'images', images }
}

function checkCount (count: number, model: TensorModel, path: string): void {
  if (count < 1) throw invalid('The batch is empty.', path)
  if (count > model.maxBatch) throw invalid(`The batch has ${count} images; this service takes at most ${model.maxBatch} (BATCH_MAX_SIZE) at once.`, path)
}

function readOutputs (request: InferRequest, model: TensorModel): InferPlan['outputs'] {
  const allBinary = request.parameters?.binary_data_output === true
  if (request.outputs === undefined || request.outputs.length === 0) return [{ classification: undefined, binary: allBinary }]
  return request.outputs.map((output, i) => {
    const path = `body/outputs/${i}`
    if (output.name !== model.outputName) throw invalid(`outputs[${i}] is "${output.name}"; this model's output is "${model.outputName}".`, `${path}/name`)
    const k = output.parameters?.classification
    if (k !== undefined && (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > model.classes)) {
      throw invalid(`outputs[${i}] asks for classification ${String(k)}; give a whole number from 1 to ${model.classes}.`, `${path}/parameters/classification`)
    }
    const binary = output.parameters?.binary_data
    return { classification: k, binary: typeof binary === 'boolean' ? binary : allBinary }
  })
}

export interface InferResult {
  model: { name: string, version: string }
  id: string | undefined
  /** One row of probabilities per image, and its predictions for the classification extension. */
  rows: Array<{ probabilities: ArrayLike<number>, ranked: (k: number) => Prediction[] }>
}

/** The response: JSON alone, or (when an output is binary) the JSON header and the tensors' bytes. */
export function writeInferResponse (plan: InferPlan, result: InferResult, model: TensorModel): { body: Buffer, headerLength: number | undefined } {
  const binaries: Buffer[] = []
  const outputs = plan.outputs.map(({ classification, binary }) => {
    const n = result.rows.length
    const tensor = classification === undefined
      ? { datatype: 'FP32', shape: [n, model.classes], values: result.rows.flatMap((row) => Array.from(row.probabilities)) }
      // Triton's format: the value as C++ std::to_string writes a float (six decimals), the index, the label.
      : { datatype: 'BYTES', shape: [n, classification], values: result.rows.flatMap((row) => row.ranked(classification).map((p) => `${p.probability.toFixed(6)}:${p.index}:${p.label}`)) }
    if (!binary) return { name: model.outputName, datatype: tensor.datatype, shape: tensor.shape, data: tensor.values }
    const bytes = tensor.datatype === 'FP32' ? Buffer.from(Float32Array.from(tensor.values as number[]).buffer) : encodeBytesTensor(tensor.values as string[])
    binaries.push(bytes)
    return { name: model.outputName, datatype: tensor.datatype, shape: tensor.shape, parameters: { binary_data_size: bytes.length } }
  })
  const json = Buffer.from(JSON.stringify({
    model_name: result.model.name,
    model_version: result.model.version,
    ...(result.id === undefined ? {} : { id: result.id }),
    outputs
  }))
  if (binaries.length === 0) return { body: json, headerLength: undefined }
  return { body: Buffer.concat([json, ...binaries]), headerLength: json.length }
}

/** BYTES in binary form: each element as a 4-byte little-endian length and its bytes. */
function encodeBytesTensor (values: string[]): Buffer {
  return Buffer.concat(values.flatMap((value) => {
    const bytes = Buffer.from(value)
    const length = Buffer.alloc(4)
    length.writeUInt32LE(bytes.length)
    return [length, bytes]
  }))
}
