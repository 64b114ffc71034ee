// The Open Inference Protocol with real models and photos: each model service's V2 routes against its
// own predict, a tensor preprocessed here from the bundle's model.json, the binary extension, every
// refusal; then through the gateway with its keys, scopes, limits and version pins.
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { createKey } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { photo, postPhoto, reference } from '../helpers/reference.ts'
import { SHARED_MODELS } from '../helpers/spawn.ts'

interface Manifest {
  id: string
  version: string
  classes: number
  input: { name: string, width: number, height: number, resize: { shorterSide: number }, scale: number, mean: number[], std: number[] }
  output: { name: string }
}
interface V2Output { name: string, datatype: string, shape: number[], data?: unknown[], parameters?: { binary_data_size?: number } }
interface V2Answer { model_name: string, model_version: string, id?: string, outputs: V2Output[], error?: string, code?: string }

const manifest = (bundle: string): Manifest => JSON.parse(readFileSync(`${SHARED_MODELS}${bundle}/model.json`, 'utf8')) as Manifest

/** A photo as model.json says the model wants it: shorter side resized to S, centre crop, (pixel / scale - mean) / std, NCHW. */
async function preprocess (name: string, m: Manifest): Promise<Float32Array> {
  const { width = 0, height = 0 } = await sharp(photo(name)).metadata()
  const S = m.input.resize.shorterSide
  const size = width <= height ? { width: S, height: Math.round(height * S / width) } : { width: Math.round(width * S / height), height: S }
  const { data } = await sharp(photo(name))
    .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
    .extract({ left: Math.floor((size.width - m.input.width) / 2), top: Math.floor((size.height - m.input.height) / 2), width: m.input.width, height: m.input.height })
    .removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const plane = m.input.width * m.input.height
  const out = new Float32Array(3 * plane)
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[c * plane + i] = (data[i * 3 + c]! / m.input.scale - m.input.mean[c]!) / m.input.std[c]!
  return out
}

async function infer (url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: V2Answer, headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() as V2Answer, headers: res.headers }
}

const base64Input = (...names: string[]): Record<string, unknown> =>
  ({ name: 'image', shape: [names.length], datatype: 'BYTES', parameters: { content_type: 'base64' }, data: names.map((n) => photo(n).toString('base64')) })
const tensorInput = (m: Manifest, data: Float32Array, count = 1): Record<string, unknown> =>
  ({ name: m.input.name, shape: [count, 3, m.input.height, m.input.width], datatype: 'FP32', data: Array.from(data) })

let services: Record<string, ProcessHandle>
let strict: ProcessHandle

beforeAll(async () => {
  services = {}
  for (const id of ['resnet', 'mobilenet']) services[id] = await startService(id)
  // Small limits, for the refusals.
  strict = await startService('resnet', { env: { MAX_BODY_BYTES: String(64 * 1024), MAX_IMAGE_PIXELS: '10000', BATCH_MAX_SIZE: '2' } })
}, 180_000)

describe('a model service\'s V2 routes', () => {
  it('answers health, server metadata and the model\'s real input and output, and 404 for another model or version', async () => {
    const url = services.resnet!.url
    expect(await (await fetch(`${url}/v2/health/live`)).json()).toEqual({ live: true })
    expect(await (await fetch(`${url}/v2/health/ready`)).json()).toEqual({ ready: true })
    expect(await (await fetch(`${url}/v2`)).json()).toEqual({ name: 'modelgate', version: expect.any(String), extensions: ['classification', 'binary_tensor_data'] })
    const m = manifest('resnet')
    const metadata = {
      name: 'resnet',
      versions: [m.version],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: m.input.name, datatype: 'FP32', shape: [-1, 3, 32, 32] }],
      outputs: [{ name: m.output.name, datatype: 'FP32', shape: [-1, 10] }]
    }
    expect(await (await fetch(`${url}/v2/models/resnet`)).json()).toEqual(metadata)
    expect(await (await fetch(`${url}/v2/models/resnet/versions/${m.version}`)).json()).toEqual(metadata)
    expect(await (await fetch(`${url}/v2/models/resnet/versions/${m.version}/ready`)).json()).toEqual({ name: 'resnet', ready: true })
    const wrongVersion = await fetch(`${url}/v2/models/resnet/versions/9.9.9/infer`, { method: 'POST', body: '{}' })
    expect([wrongVersion.status, await wrongVersion.json()]).toEqual([404, { error: expect.stringContaining('9.9.9'), code: 'MODEL_VERSION_NOT_FOUND' }])
    const wrongModel = await fetch(`${url}/v2/models/vgg/ready`)
    expect([wrongModel.status, await wrongModel.json()]).toEqual([404, { error: expect.stringContaining('vgg'), code: 'MODEL_NOT_FOUND' }])
  })

  it.each(['resnet', 'mobilenet'])('%s: a base64 image with the classification extension agrees with predict\'s top 5', async (id) => {
    const predicted = (await postPhoto(`${services[id]!.url}/predict`, 'cat_720p.jpg')).body.predictions
    const { status, body } = await infer(`${services[id]!.url}/v2/models/${id}/infer`, {
      id: 'cat-1', inputs: [base64Input('cat_720p.jpg')], outputs: [{ name: manifest(id).output.name, parameters: { classification: 5 } }]
    })
    expect(status).toBe(200)
    expect(body).toMatchObject({ model_name: id, model_version: manifest(id).version, id: 'cat-1' })
    expect(body.outputs).toEqual([{ name: manifest(id).output.name, datatype: 'BYTES', shape: [1, 5], data: predicted.map((p) => `${p.probability.toFixed(6)}:${p.index}:${p.label}`) }])
  })

  it.each(['resnet', 'mobilenet'])('%s: a FP32 tensor preprocessed here from model.json gives predict\'s probabilities (within 1e-4)', async (id) => {
    const m = manifest(id)
    const photos = ['cat_720p.jpg', 'eagle.jpg']
    const tensors = await Promise.all(photos.map(async (name) => await preprocess(name, m)))
    const both = new Float32Array(tensors.reduce((n, t) => n + t.length, 0))
    tensors.forEach((t, i) => both.set(t, i * t.length))
    const { status, body } = await infer(`${services[id]!.url}/v2/models/${id}/infer`, { inputs: [tensorInput(m, both, 2)] })
    expect(status, JSON.stringify(body)).toBe(200)
    const [output] = body.outputs
    expect(output).toMatchObject({ name: m.output.name, datatype: 'FP32', shape: [2, m.classes] })
    for (const [i, name] of photos.entries()) {
      const predicted = (await postPhoto(`${services[id]!.url}/predict?topk=${m.classes}`, name)).body.predictions
      const row = (output!.data as number[]).slice(i * m.classes, (i + 1) * m.classes)
      for (const p of predicted) expect(Math.abs(row[p.index]! - p.probability), `${name} class ${p.index}`).toBeLessThanOrEqual(1e-4)
    }
  })

  it('round-trips the binary tensor extension: FP32 in after the JSON, FP32 out after the JSON', async () => {
    const m = manifest('resnet')
    const tensor = await preprocess('owl.jpg', m)
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: m.input.name, shape: [1, 3, 32, 32], datatype: 'FP32', parameters: { binary_data_size: tensor.byteLength } }],
      outputs: [{ name: m.output.name, parameters: { binary_data: true } }]
    }))
    const res = await fetch(`${services.resnet!.url}/v2/models/resnet/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(tensor.buffer)])
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    const body = Buffer.from(await res.arrayBuffer())
    const length = Number(res.headers.get('inference-header-content-length'))
    const answer = JSON.parse(body.subarray(0, length).toString()) as V2Answer
    expect(answer.outputs).toEqual([{ name: m.output.name, datatype: 'FP32', shape: [1, 10], parameters: { binary_data_size: 40 } }])
    const binary = Array.from(new Float32Array(Uint8Array.from(body.subarray(length)).buffer))
    const asJson = (await infer(`${services.resnet!.url}/v2/models/resnet/infer`, { inputs: [tensorInput(m, tensor)] })).body.outputs[0]!.data as number[]
    expect(binary).toEqual(Array.from(Float32Array.from(asJson)))
    expect(binary.indexOf(Math.max(...binary))).toBe(reference.bundles.resnet!.predictions['owl.jpg']![0]!.index)
  })

  it('refuses every bad request as predict does, with 400 (404) and the platform\'s code, before onnxruntime', async () => {
    const m = manifest('resnet')
    const url = `${strict.url}/v2/models/resnet/infer`
    const zeros = (n: number): Float32Array => new Float32Array(n * 3 * 32 * 32)
    const cases: Array<[string, unknown, string]> = [
      ['wrong datatype', { inputs: [{ ...tensorInput(m, zeros(1)), datatype: 'FP64' }] }, 'BODY_INVALID'],
      ['wrong shape', { inputs: [{ ...tensorInput(m, zeros(1)), shape: [1, 3, 224, 224] }] }, 'BODY_INVALID'],
      ['data length not the shape', { inputs: [{ ...tensorInput(m, zeros(1)), shape: [2, 3, 32, 32] }] }, 'BODY_INVALID'],
      ['more images than BATCH_MAX_SIZE', { inputs: [tensorInput(m, zeros(3), 3)] }, 'BODY_INVALID'],
      ['an undecodable image', { inputs: [{ ...base64Input('owl.jpg'), data: [photo('owl.jpg').subarray(0, 2000).toString('base64')] }] }, 'IMAGE_UNDECODABLE'],
      ['a text file', { inputs: [{ ...base64Input('owl.jpg'), data: [Buffer.from('not an image at all').toString('base64')] }] }, 'IMAGE_UNSUPPORTED_TYPE'],
      ['an image over MAX_IMAGE_PIXELS', { inputs: [base64Input('owl.jpg')] }, 'IMAGE_TOO_LARGE'],
      // Two images of float32 digits (about 116 KB of JSON) against a limit of 64 KiB.
      ['a body over MAX_BODY_BYTES', { inputs: [tensorInput(m, zeros(2).fill(0.1234567), 2)] }, 'IMAGE_TOO_LARGE']
    ]
    const batches = async (): Promise<number> => Number(/^model_batch_size_count\{[^}]*\} (\d+)/m.exec(await (await fetch(`${strict.url}/metrics`)).text())?.[1])
    const before = await batches()
    expect(before).toBeGreaterThanOrEqual(0)
    for (const [what, body, code] of cases) {
      const res = await infer(url, body)
      expect([res.status, res.body.code], what).toEqual([400, code])
      expect(typeof res.body.error, what).toBe('string')
    }
    // Not a finite number: only binary data can carry one.
    const nan = zeros(1)
    nan[17] = Number.NaN
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: m.input.name, shape: [1, 3, 32, 32], datatype: 'FP32', parameters: { binary_data_size: nan.byteLength } }] }))
    const res = await fetch(url, { method: 'POST', headers: { 'inference-header-content-length': String(header.length) }, body: Buffer.concat([header, Buffer.from(nan.buffer)]) })
    expect([res.status, ((await res.json()) as V2Answer).code]).toEqual([400, 'BODY_INVALID'])
    // None of them reached onnxruntime: no batch ran; a good request still does.
    expect(await batches()).toBe(before)
    expect((await infer(url, { inputs: [tensorInput(m, zeros(1))] })).status).toBe(200)
    expect(await batches()).toBe(before + 1)
  })
})

describe('V2 through the gateway', () => {
  let gateway: GatewayHandle
  let canary: ProcessHandle
  let key: string

  beforeAll(async () => {
    canary = await startService('resnet', { bundle: 'resnet-v1' })
    const version = (bundle: string): string => manifest(bundle).version
    gateway = await startGateway({
      upstreams: {
        models: {
          resnet: { stable: { version: version('resnet'), replicas: [services.resnet!.url] }, canary: { version: version('resnet-v1'), weight: 0, replicas: [canary.url] } },
          mobilenet: { stable: { version: version('mobilenet'), replicas: [services.mobilenet!.url] } }
        }
      }
    })
    key = (await createKey(gateway.env)).secret
  }, 120_000)

  it('answers health and server metadata itself, without a key', async () => {
    expect(await (await fetch(`${gateway.url}/v2/health/live`)).json()).toEqual({ live: true })
    expect(await (await fetch(`${gateway.url}/v2/health/ready`)).json()).toEqual({ ready: true })
    expect(await (await fetch(`${gateway.url}/v2`)).json()).toEqual({ name: 'modelgate', version: expect.any(String), extensions: ['classification', 'binary_tensor_data'] })
  })

  it('wants the key and the model scope of predict, and keeps its own refusals problem+json', async () => {
    const body = { inputs: [base64Input('eagle.jpg')] }
    const anonymous = await fetch(`${gateway.url}/v2/models/resnet/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await fetch(`${gateway.url}/v2/models/resnet`).then((r) => r.status)).toBe(401)
    const onlyMobilenet = (await createKey(gateway.env, ['--models', 'mobilenet'])).secret
    const forbidden = await infer(`${gateway.url}/v2/models/resnet/infer`, body, { authorization: `Bearer ${onlyMobilenet}` })
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'FORBIDDEN_MODEL'])
    expect(forbidden.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect((await infer(`${gateway.url}/v2/models/mobilenet/infer`, body, { authorization: `Bearer ${onlyMobilenet}` })).status).toBe(200)
    const unknown = await infer(`${gateway.url}/v2/models/vgg/infer`, body, { authorization: `Bearer ${key}` })
    expect([unknown.status, unknown.body]).toEqual([404, { error: 'There is no model "vgg".', code: 'MODEL_NOT_FOUND', knownModels: ['resnet', 'mobilenet'] }])
  })

  it('counts V2 requests against the key\'s limit, and logs them as predict\'s', async () => {
    const once = (await createKey(gateway.env, ['--rate', '1/min'])).secret
    const from = gateway.logLines().length
    const body = { inputs: [base64Input('owl.jpg')] }
    expect((await infer(`${gateway.url}/v2/models/resnet/infer`, body, { 'x-api-key': once })).status).toBe(200)
    const limited = await infer(`${gateway.url}/v2/models/resnet/infer`, body, { 'x-api-key': once })
    expect([limited.status, limited.body.code]).toEqual([429, 'RATE_LIMITED'])
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const [ok] = await gateway.waitForLines((l) => l.route === '/v2/models/:model/infer' && l.statusCode === 200, 1, from)
    expect(ok).toMatchObject({ modelId: 'resnet', modelVersion: manifest('resnet').version, upstream: services.resnet!.url })
  })

  it('pins a version by /versions/{version}, as x-model-version does, and answers 404 for one it does not serve', async () => {
    const auth = { authorization: `Bearer ${key}` }
    const body = { inputs: [base64Input('cat_720p.jpg')] }
    const v1 = manifest('resnet-v1').version
    const pinned = await infer(`${gateway.url}/v2/models/resnet/versions/${v1}/infer`, body, auth)
    expect([pinned.status, pinned.body.model_version, pinned.headers.get('x-model-version')]).toEqual([200, v1, v1])
    const stable = await infer(`${gateway.url}/v2/models/resnet/infer`, body, auth)
    expect(stable.body.model_version).toBe(manifest('resnet').version)
    expect(await (await fetch(`${gateway.url}/v2/models/resnet/versions/${v1}`, { headers: auth })).json()).toMatchObject({ name: 'resnet', versions: [v1] })
    const unknown = await infer(`${gateway.url}/v2/models/resnet/versions/9.9.9/infer`, body, auth)
    expect([unknown.status, unknown.body.code, unknown.body]).toEqual([404, 'MODEL_VERSION_NOT_FOUND', expect.objectContaining({ knownVersions: [manifest('resnet').version, v1] })])
  })
})
