// A model bundle of a chosen weight size, for measuring what each MiB of model file costs a service in
// memory (docs/operations.md, "Sizing"): the shared bundles are all small, the zoo models are not here.
// The graph is a classifier of the usual shape, 224x224 in and 1000 logits out, whose weights sit in
// 3x3 convolutions (as in ResNet): GlobalAveragePool → Conv 1x1 → N × (Conv 3x3 + Relu) → Flatten → Gemm.
// Written as ONNX protobuf by hand (a few message types), so no ONNX tooling is needed.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const CHANNELS = 512
const CLASSES = 1000

function varint (value: number): Buffer {
  const bytes: number[] = []
  let n = value
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  bytes.push(n)
  return Buffer.from(bytes)
}

const int = (field: number, value: number): Buffer => Buffer.concat([varint(field * 8), varint(value)])
const bytes = (field: number, value: Buffer | string): Buffer => {
  const data = typeof value === 'string' ? Buffer.from(value) : value
  return Buffer.concat([varint(field * 8 + 2), varint(data.length), data])
}

/** TensorProto: float32 with raw little-endian data. */
function tensor (name: string, dims: number[], seed: number): Buffer {
  const count = dims.reduce((a, b) => a * b, 1)
  const data = Buffer.alloc(count * 4)
  // Small, varied values: the numbers do not matter, their bytes in memory do.
  for (let i = 0; i < count; i++) data.writeFloatLE(((((i + seed) * 2654435761) % 2001) - 1000) / 1e5, i * 4)
  return Buffer.concat([...dims.map((d) => int(1, d)), int(2, 1), bytes(8, name), bytes(9, data)])
}

/** ValueInfoProto of a float tensor; a string dimension is symbolic (the batch). */
function valueInfo (name: string, dims: Array<number | string>): Buffer {
  const shape = Buffer.concat(dims.map((d) => bytes(1, typeof d === 'number' ? int(1, d) : bytes(2, d))))
  return Buffer.concat([bytes(1, name), bytes(2, bytes(1, Buffer.concat([int(1, 1), bytes(2, shape)])))])
}

/** AttributeProto: INT (type 2) or INTS (type 7). */
function attribute (name: string, value: number | number[]): Buffer {
  return Array.isArray(value)
    ? Buffer.concat([bytes(1, name), ...value.map((v) => int(8, v)), int(20, 7)])
    : Buffer.concat([bytes(1, name), int(3, value), int(20, 2)])
}

function node (op: string, inputs: string[], outputs: string[], attributes: Buffer[] = []): Buffer {
  return Buffer.concat([...inputs.map((i) => bytes(1, i)), ...outputs.map((o) => bytes(2, o)), bytes(3, outputs[0] ?? op), bytes(4, op), ...attributes.map((a) => bytes(5, a))])
}

/** The ONNX model with `layers` 3x3 convolutions of 512 channels (9 MiB of weights each). */
export function syntheticModel (layers: number): Buffer {
  const nodes = [node('GlobalAveragePool', ['input'], ['pooled']), node('Conv', ['pooled', 'w0', 'b0'], ['h0'], [attribute('kernel_shape', [1, 1])])]
  const weights = [tensor('w0', [CHANNELS, 3, 1, 1], 0), tensor('b0', [CHANNELS], 1)]
  for (let i = 1; i <= layers; i++) {
    nodes.push(node('Conv', [`h${i - 1}`, `w${i}`, `b${i}`], [`c${i}`], [attribute('kernel_shape', [3, 3]), attribute('pads', [1, 1, 1, 1])]))
    nodes.push(node('Relu', [`c${i}`], [`h${i}`]))
    weights.push(tensor(`w${i}`, [CHANNELS, CHANNELS, 3, 3], i), tensor(`b${i}`, [CHANNELS], i))
  }
  nodes.push(node('Flatten', [`h${layers}`], ['flat'], [attribute('axis', 1)]))
  nodes.push(node('Gemm', ['flat', 'wf', 'bf'], ['logits']))
  weights.push(tensor('wf', [CHANNELS, CLASSES], 7), tensor('bf', [CLASSES], 8))
  const graph = Buffer.concat([
    ...nodes.map((n) => bytes(1, n)), bytes(2, 'synthetic'), ...weights.map((w) => bytes(5, w)),
    bytes(11, valueInfo('input', ['N', 3, 224, 224])), bytes(12, valueInfo('logits', ['N', CLASSES]))
  ])
  return Buffer.concat([int(1, 7), bytes(2, 'modelgate-synthetic'), bytes(7, graph), bytes(8, Buffer.concat([bytes(1, ''), int(2, 13)]))])
}

/** Writes a complete bundle (model.onnx, model.json, labels.txt) for service `id` into `dir`. */
export function writeSyntheticBundle (dir: string, id: string, layers: number): void {
  mkdirSync(dir, { recursive: true })
  const model = syntheticModel(layers)
  writeFileSync(join(dir, 'model.onnx'), model)
  writeFileSync(join(dir, 'labels.txt'), Array.from({ length: CLASSES }, (_, i) => `class ${i}`).join('\n') + '\n')
  writeFileSync(join(dir, 'model.json'), JSON.stringify({
    id,
    name: `synthetic ${layers} x conv3x3-512`,
    version: `0.0.${layers}`,
    file: 'model.onnx',
    sha256: createHash('sha256').update(model).digest('hex'),
    labels: 'labels.txt',
    classes: CLASSES,
    input: { name: 'input', layout: 'NCHW', width: 224, height: 224, resize: { shorterSide: 256, crop: 'center' }, scale: 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    output: { name: 'logits', activation: 'softmax' }
  }, null, 2))
}
