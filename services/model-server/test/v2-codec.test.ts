// The Open Inference Protocol codec on its own: what a request is read as, every refusal with its
// field, and the response in JSON and binary, with the spec's and Triton's shapes.
import { describe, expect, it } from 'vitest'
import { type InferPlan, type TensorModel, readInferRequest, writeInferResponse } from '../src/v2/codec.ts'

const model: TensorModel = { inputName: 'input', outputName: 'logits', width: 2, height: 2, classes: 3, maxBatch: 2 }
const IMAGE = 3 * 2 * 2
const json = (body: unknown): Buffer => Buffer.from(JSON.stringify(body))
const tensor = (data: unknown, shape = [1, 3, 2, 2], extra: Record<string, unknown> = {}): Buffer =>
  json({ inputs: [{ name: 'input', shape, datatype: 'FP32', data, ...extra }] })
const refusal = (body: Buffer, headerLength?: number): { code: string, status: number, path: string } => {
  try {
    readInferRequest(body, headerLength, model)
  } catch (err) {
    const e = err as { code: string, status: number, extra: { errors?: Array<{ path: string }> } }
    return { code: e.code, status: e.status, path: e.extra.errors?.[0]?.path ?? '' }
  }
  throw new Error('accepted')
}

describe('readInferRequest', () => {
  it('reads a FP32 tensor given flat or nested, and echoes the id', () => {
    const flat = Array.from({ length: IMAGE }, (_, i) => i / 10)
    const nested = [[[[0, 0.1], [0.2, 0.3]], [[0.4, 0.5], [0.6, 0.7]], [[0.8, 0.9], [1, 1.1]]]]
    for (const data of [flat, nested]) {
      const plan = readInferRequest(json({ id: '42', inputs: [{ name: 'input', shape: [1, 3, 2, 2], datatype: 'FP32', data }] }), undefined, model)
      expect(plan.id).toBe('42')
      expect(plan.input).toEqual({ kind: 'tensor', count: 1, data: Float32Array.from(flat) })
      expect(plan.outputs).toEqual([{ classification: undefined, binary: false }])
    }
  })

  it('reads a binary tensor after the JSON (Inference-Header-Content-Length)', () => {
    const values = Float32Array.from({ length: 2 * IMAGE }, (_, i) => i - 5.5)
    const header = json({ inputs: [{ name: 'input', shape: [2, 3, 2, 2], datatype: 'FP32', parameters: { binary_data_size: values.byteLength } }], parameters: { binary_data_output: true } })
    const plan = readInferRequest(Buffer.concat([header, Buffer.from(values.buffer)]), header.length, model)
    expect(plan.input).toEqual({ kind: 'tensor', count: 2, data: values })
    expect(plan.outputs).toEqual([{ classification: undefined, binary: true }])
  })

  it('reads base64 images (BYTES, content_type base64) and the classification and binary_data of an output', () => {
    const plan = readInferRequest(json({
      inputs: [{ name: 'image', shape: [2], datatype: 'BYTES', parameters: { content_type: 'base64' }, data: ['aGVsbG8=', 'd29ybGQ='] }],
      outputs: [{ name: 'logits', parameters: { classification: 2, binary_data: true } }]
    }), undefined, model)
    expect(plan.input).toEqual({ kind: 'images', images: [Buffer.from('hello'), Buffer.from('world')] })
    expect(plan.outputs).toEqual([{ classification: 2, binary: true }])
  })

  it.each([
    ['not JSON', Buffer.from('{"inputs": ['), 'body'],
    ['no inputs', json({ inputs: [] }), 'body/inputs'],
    ['two inputs', json({ inputs: [{ name: 'input', shape: [1], datatype: 'FP32', data: [1] }, { name: 'b', shape: [1], datatype: 'FP32', data: [1] }] }), 'body/inputs'],
    ['a wrong datatype', json({ inputs: [{ name: 'input', shape: [1, 3, 2, 2], datatype: 'INT8', data: [] }] }), 'body/inputs/0/datatype'],
    ['another input name', json({ inputs: [{ name: 'pixels', shape: [1, 3, 2, 2], datatype: 'FP32', data: [] }] }), 'body/inputs/0/name'],
    ['a wrong shape', tensor(Array(IMAGE).fill(0), [1, 3, 4, 4]), 'body/inputs/0/shape'],
    ['too few values', tensor(Array(IMAGE - 1).fill(0)), 'body/inputs/0/data'],
    ['too many values', tensor(Array(IMAGE + 1).fill(0)), 'body/inputs/0/data'],
    ['a string in the data', tensor([...Array(IMAGE - 1).fill(0), '1']), 'body/inputs/0/data'],
    ['more images than BATCH_MAX_SIZE', tensor(Array(3 * IMAGE).fill(0), [3, 3, 2, 2]), 'body/inputs/0/shape/0'],
    ['an empty batch', tensor([], [0, 3, 2, 2]), 'body/inputs/0/shape/0'],
    ['BYTES without content_type', json({ inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: ['aGk='] }] }), 'body/inputs/0/parameters/content_type'],
    ['BYTES that is not base64', json({ inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', parameters: { content_type: 'base64' }, data: ['not base64!'] }] }), 'body/inputs/0/data/0'],
    ['BYTES whose count is not the shape', json({ inputs: [{ name: 'image', shape: [2], datatype: 'BYTES', parameters: { content_type: 'base64' }, data: ['aGk='] }] }), 'body/inputs/0/data'],
    ['an unknown output', json({ inputs: [{ name: 'input', shape: [1, 3, 2, 2], datatype: 'FP32', data: Array(IMAGE).fill(0) }], outputs: [{ name: 'probs' }] }), 'body/outputs/0/name'],
    ['classification over the classes', json({ inputs: [{ name: 'input', shape: [1, 3, 2, 2], datatype: 'FP32', data: Array(IMAGE).fill(0) }], outputs: [{ name: 'logits', parameters: { classification: 4 } }] }), 'body/outputs/0/parameters/classification']
  ])('refuses %s as BODY_INVALID, naming the field', (_what, body, path) => {
    expect(refusal(body)).toEqual({ code: 'BODY_INVALID', status: 400, path })
  })

  it('refuses non-finite numbers and binary sizes that do not add up', () => {
    const nan = Float32Array.from({ length: IMAGE }, (_, i) => (i === 5 ? Number.NaN : 0))
    const header = json({ inputs: [{ name: 'input', shape: [1, 3, 2, 2], datatype: 'FP32', parameters: { binary_data_size: nan.byteLength } }] })
    expect(refusal(Buffer.concat([header, Buffer.from(nan.buffer)]), header.length)).toMatchObject({ code: 'BODY_INVALID', path: 'body/inputs/0/data' })
    expect(refusal(Buffer.concat([header, Buffer.alloc(8)]), header.length)).toMatchObject({ path: 'body/inputs/0/parameters/binary_data_size' })
    expect(refusal(header, header.length + 1)).toMatchObject({ path: 'headers/inference-header-content-length' })
    const undeclared = tensor(Array(IMAGE).fill(0))
    expect(refusal(Buffer.concat([undeclared, Buffer.alloc(4)]), undeclared.length)).toMatchObject({ path: 'body' })
  })
})

describe('writeInferResponse', () => {
  const rows = [
    { probabilities: [0.7, 0.2, 0.1], ranked: (k: number) => [{ label: 'cat', index: 0, probability: 0.7 }, { label: 'dog', index: 1, probability: 0.2 }].slice(0, k) },
    { probabilities: [0.125, 0.375, 0.5], ranked: (k: number) => [{ label: 'owl', index: 2, probability: 0.5 }, { label: 'dog', index: 1, probability: 0.375 }].slice(0, k) }
  ]
  const result = { model: { name: 'resnet', version: '2.0.0' }, id: '42', rows }
  const plan = (outputs: InferPlan['outputs']): InferPlan => ({ id: '42', input: { kind: 'images', images: [] }, outputs })

  it('answers FP32 probabilities [N, classes] in JSON, echoing model, version and id', () => {
    const { body, headerLength } = writeInferResponse(plan([{ classification: undefined, binary: false }]), result, model)
    expect(headerLength).toBeUndefined()
    expect(JSON.parse(body.toString())).toEqual({
      model_name: 'resnet',
      model_version: '2.0.0',
      id: '42',
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [2, 3], data: [0.7, 0.2, 0.1, 0.125, 0.375, 0.5] }]
    })
  })

  it('answers classification as Triton writes it: BYTES [N, k] of "<probability>:<index>:<label>"', () => {
    const { body } = writeInferResponse(plan([{ classification: 2, binary: false }]), result, model)
    expect(JSON.parse(body.toString()).outputs).toEqual([{ name: 'logits', datatype: 'BYTES', shape: [2, 2], data: ['0.700000:0:cat', '0.200000:1:dog', '0.500000:2:owl', '0.375000:1:dog'] }])
  })

  it('puts binary outputs after the JSON: little-endian FP32, and BYTES as length-prefixed elements', () => {
    const { body, headerLength } = writeInferResponse(plan([{ classification: undefined, binary: true }, { classification: 1, binary: true }]), result, model)
    const header = JSON.parse(body.subarray(0, headerLength).toString()) as { outputs: Array<{ parameters: { binary_data_size: number } }> }
    const [probs, classes] = header.outputs
    expect(probs!.parameters.binary_data_size).toBe(24)
    const binary = body.subarray(headerLength)
    expect(Array.from(new Float32Array(Uint8Array.from(binary.subarray(0, 24)).buffer))).toEqual(Array.from(Float32Array.from([0.7, 0.2, 0.1, 0.125, 0.375, 0.5])))
    const strings = binary.subarray(24)
    expect(strings.length).toBe(classes!.parameters.binary_data_size)
    expect(strings.readUInt32LE(0)).toBe('0.700000:0:cat'.length)
    expect(strings.subarray(4, 4 + 14).toString()).toBe('0.700000:0:cat')
  })
})
