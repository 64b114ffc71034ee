import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadBundle } from '../../services/model-server/src/bundle/load-bundle.ts'
import { parseManifest } from '../../services/model-server/src/bundle/manifest.ts'
import { addModel } from '../models/add.ts'
import type { OnnxInfo, TensorInfo } from '../models/onnx-info.ts'
import { readServingShape } from '../models/serving-shape.ts'
import { checkBundle, sha256File } from '../models/verify.ts'
import { resnetDir, sharedModels, tempDir } from './mirror.ts'

const onnx = join(resnetDir, 'model.onnx')
const labels = join(resnetDir, 'labels.txt')

describe('pnpm models add', () => {
  it('makes a valid bundle from the shared ResNet model and labels', async () => {
    const modelsDir = await tempDir()

    const { dir } = await addModel({ id: 'my-resnet', onnx, labels, modelsDir })

    const manifest = parseManifest(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')), 'model.json')
    expect(manifest).toMatchObject({
      id: 'my-resnet',
      file: 'model.onnx',
      classes: 10,
      bytes: (await stat(onnx)).size,
      input: { name: 'input', layout: 'NCHW', width: 32, height: 32, resize: { shorterSide: 32, crop: 'center' }, scale: 255 },
      output: { name: 'logits', activation: 'softmax' }
    })
    expect(await sha256File(join(dir, 'model.onnx'))).toBe(manifest.sha256)
    expect(manifest.sha256).toBe(JSON.parse(await readFile(join(resnetDir, 'model.json'), 'utf8')).sha256)
    expect(await readFile(join(dir, 'labels.txt'), 'utf8')).toBe(await readFile(labels, 'utf8'))
    expect(await checkBundle(dir)).toMatchObject({ ok: true })
    // The model service itself accepts it.
    expect((await loadBundle(dir)).labels).toHaveLength(10)
  })

  it('writes the preprocessing given on the command line', async () => {
    const modelsDir = await tempDir()

    const { manifest } = await addModel({
      id: 'mobilenet',
      onnx: join(sharedModels, 'mobilenet', 'model.onnx'),
      labels: join(sharedModels, 'mobilenet', 'labels.txt'),
      modelsDir,
      name: 'My MobileNet',
      version: '3.1.0',
      shorterSide: 256,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      activation: 'none'
    })

    expect(manifest).toMatchObject({
      name: 'My MobileNet',
      version: '3.1.0',
      classes: 1000,
      input: { width: 224, height: 224, resize: { shorterSide: 256 }, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      output: { activation: 'none' }
    })
  })

  it('refuses a labels file whose count does not match the output', async () => {
    const modelsDir = await tempDir()
    const short = join(modelsDir, 'nine.txt')
    await writeFile(short, (await readFile(labels, 'utf8')).trim().split('\n').slice(0, 9).join('\n'))

    await expect(addModel({ id: 'bad', onnx, labels: short, modelsDir }))
      .rejects.toThrow(`${short} has 9 labels, but output "logits" has 10 classes`)
    await expect(stat(join(modelsDir, 'bad'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses a file that is not an ONNX model', async () => {
    const modelsDir = await tempDir()
    await expect(addModel({ id: 'bad', onnx: labels, labels, modelsDir })).rejects.toThrow('cannot be loaded by onnxruntime-node')
  })

  it('refuses --size when the model input is fixed at another size', async () => {
    const modelsDir = await tempDir()
    await expect(addModel({ id: 'bad', onnx, labels, modelsDir, size: 224 }))
      .rejects.toThrow('Input "input" is fixed at 32x32; --size 224 does not match')
  })

  it('refuses to overwrite a bundle unless forced', async () => {
    const modelsDir = await tempDir()
    await addModel({ id: 'twice', onnx, labels, modelsDir })

    await expect(addModel({ id: 'twice', onnx, labels, modelsDir })).rejects.toThrow('already holds a bundle; pass --force')
    await expect(addModel({ id: 'twice', onnx, labels, modelsDir, version: '2.0.0', force: true })).resolves.toMatchObject({ manifest: { version: '2.0.0' } })
  })

  it('refuses an id the model service would not accept', async () => {
    const modelsDir = await tempDir()
    await expect(addModel({ id: 'My_Model', onnx, labels, modelsDir })).rejects.toThrow('--id "My_Model" is not a valid model id')
  })
})

// Shapes no shared model has: the decision on plain metadata, as onnxruntime-node reports it.
describe('readServingShape', () => {
  const image: TensorInfo = { name: 'image', type: 'float32', shape: ['N', 3, 224, 224] }
  const scores: TensorInfo = { name: 'scores', type: 'float32', shape: ['N', 1000] }
  const info = (inputs: TensorInfo[], outputs: TensorInfo[], probed: number[] = []): OnnxInfo => ({
    inputs, outputs, probe: async () => probed, close: async () => {}
  })

  it('accepts one NCHW image input and one class-score output', async () => {
    await expect(readServingShape(info([image], [scores]), {})).resolves.toMatchObject({ width: 224, height: 224, classes: 1000, warnings: [] })
  })

  it('refuses a model with two inputs', async () => {
    await expect(readServingShape(info([image, { ...image, name: 'mask' }], [scores]), {}))
      .rejects.toThrow('The model has 2 inputs (image, mask); the service feeds exactly one image tensor.')
  })

  it('refuses a channels-last input and says so', async () => {
    await expect(readServingShape(info([{ ...image, shape: ['N', 224, 224, 3] }], [scores]), {}))
      .rejects.toThrow(/has shape \[N, 224, 224, 3\].*looks channels-last \(NHWC\)/)
  })

  it('refuses a grey-scale input', async () => {
    await expect(readServingShape(info([{ ...image, shape: ['N', 1, 28, 28] }], [scores]), {})).rejects.toThrow('[batch, 3, height, width]')
  })

  it('asks for --size when height and width are dynamic, and uses it', async () => {
    const dynamic = { ...image, shape: ['N', 3, 'H', 'W'] }
    await expect(readServingShape(info([dynamic], [scores]), {})).rejects.toThrow('give the size the model was trained at with --size N')
    await expect(readServingShape(info([dynamic], [scores]), { size: 299 })).resolves.toMatchObject({ width: 299, height: 299 })
  })

  it('asks which output to use when there are several, and takes the named one', async () => {
    const features = { name: 'features', type: 'float32', shape: ['N', 2048] }
    await expect(readServingShape(info([image], [features, scores]), {})).rejects.toThrow('name the one holding the class scores with --output NAME')
    await expect(readServingShape(info([image], [features, scores]), { output: 'scores' })).resolves.toMatchObject({ classes: 1000 })
    await expect(readServingShape(info([image], [features, scores]), { output: 'logits' })).rejects.toThrow('no output "logits"; its outputs are features, scores')
  })

  it('runs the model once to learn a class count the graph leaves dynamic', async () => {
    await expect(readServingShape(info([image], [{ ...scores, shape: ['N', 'C'] }], [1, 21]), {})).resolves.toMatchObject({ classes: 21 })
  })

  it('refuses an output that is not [batch, classes]', async () => {
    await expect(readServingShape(info([image], [{ ...scores, shape: ['N', 21, 512, 512] }]), {})).rejects.toThrow('has shape [N, 21, 512, 512]')
  })

  it('warns about a fixed batch dimension', async () => {
    const shape = await readServingShape(info([{ ...image, shape: [1, 3, 224, 224] }], [scores]), {})
    expect(shape.warnings).toEqual(['input "image" has a fixed batch of 1: run its service with micro-batching off (a batch of 1)'])
  })
})
