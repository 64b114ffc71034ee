import { readFileSync } from 'node:fs'
import type { InjectOptions } from 'fastify'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Bundle } from '../src/bundle/load-bundle.ts'
import type { Classifier } from '../src/inference/classifier.ts'
import { SHARED_IMAGES, buildTestServer, loadShared, testConfig } from './build.ts'

const cat = readFileSync(`${SHARED_IMAGES}cat_720p.jpg`)
let bundle: Bundle
let classifier: Classifier
let app: ReturnType<typeof buildTestServer>['app']

beforeAll(async () => {
  ({ bundle, classifier } = await loadShared('resnet'))
  app = buildTestServer(bundle, classifier).app
  await app.ready()
})
afterAll(async () => {
  await app.close()
  await classifier.close()
})

function multipart (field: string, bytes: Buffer, extra: Record<string, string> = {}): { payload: Buffer, headers: Record<string, string> } {
  const boundary = '----modelgate-test'
  const parts = Object.entries(extra).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  const payload = Buffer.concat([
    Buffer.from(parts.join('')),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="cat.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`)
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

describe('POST /predict accepts the image in every documented form', () => {
  it('takes raw image/jpeg bytes', async () => {
    const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: cat })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.model).toEqual({ id: 'resnet', name: 'ResNet-56 (CIFAR-10)', version: '2.0.0' })
    expect(body.predictions[0]).toMatchObject({ label: 'cat', index: 3 })
    expect(Object.keys(body.timing).sort()).toEqual(['decodeMs', 'fetchMs', 'inferenceMs', 'preprocessMs', 'queueMs', 'totalMs'])
  })

  it('takes JSON with base64 and a data: URL prefix, and a JSON topk', async () => {
    for (const image of [cat.toString('base64'), `data:image/jpeg;base64,${cat.toString('base64')}`]) {
      const res = await app.inject({ method: 'POST', url: '/predict', payload: { image, topk: 3 } })
      expect(res.statusCode).toBe(200)
      expect(res.json().predictions).toHaveLength(3)
      expect(res.json().predictions[0].label).toBe('cat')
    }
  })

  it('takes multipart with a file field "image" and a topk field', async () => {
    const form = multipart('image', cat, { topk: '2' })
    const res = await app.inject({ method: 'POST', url: '/predict', ...form })
    expect(res.statusCode).toBe(200)
    expect(res.json().predictions).toHaveLength(2)
    expect(res.json().predictions[0].label).toBe('cat')
  })

  it('lets the query topk win and returns every class, summing to 1, sorted', async () => {
    const res = await app.inject({ method: 'POST', url: '/predict?topk=10', payload: { image: cat.toString('base64'), topk: 1 } })
    const predictions = res.json().predictions as Array<{ probability: number }>
    expect(predictions).toHaveLength(10)
    expect(predictions.reduce((a, p) => a + p.probability, 0)).toBeCloseTo(1, 6)
    expect(predictions.map((p) => p.probability)).toEqual(predictions.map((p) => p.probability).sort((a, b) => b - a))
  })

  it('echoes a well-formed x-request-id and makes one otherwise', async () => {
    const given = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg', 'x-request-id': 'abc-123' }, payload: cat })
    expect(given.headers['x-request-id']).toBe('abc-123')
    const made = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg', 'x-request-id': 'bad id\n' }, payload: cat })
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('POST /predict refuses bad input with problem+json', () => {
  async function expectProblem (request: InjectOptions, status: number, code: string): Promise<Record<string, unknown>> {
    const res = await app.inject(request)
    expect(res.statusCode, res.body).toBe(status)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const body = res.json()
    expect(body).toMatchObject({ status, code, type: expect.stringContaining(code.toLowerCase().replaceAll('_', '-')), title: expect.any(String), detail: expect.any(String), requestId: res.headers['x-request-id'] })
    return body
  }

  it('BODY_INVALID for malformed JSON', async () => {
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{"image":' }, 400, 'BODY_INVALID')
  })

  it('BODY_INVALID with an errors list for an unknown field and a bad topk', async () => {
    const extra = await expectProblem({ method: 'POST', url: '/predict', payload: { image: 'aGk=', colour: 'red' } }, 400, 'BODY_INVALID')
    expect(extra.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('colour') })]))
    const zero = await expectProblem({ method: 'POST', url: '/predict?topk=0', headers: { 'content-type': 'image/jpeg' }, payload: cat }, 400, 'BODY_INVALID')
    expect(zero.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('topk') })]))
    await expectProblem({ method: 'POST', url: '/predict?topk=abc', headers: { 'content-type': 'image/jpeg' }, payload: cat }, 400, 'BODY_INVALID')
  })

  it('BODY_INVALID when topk is over the number of classes', async () => {
    const body = await expectProblem({ method: 'POST', url: '/predict?topk=11', headers: { 'content-type': 'image/jpeg' }, payload: cat }, 400, 'BODY_INVALID')
    expect(body.detail).toContain('10 classes')
  })

  it('BODY_INVALID, naming the field, for a JSON value of the wrong type (no coercion of a typed body)', async () => {
    for (const payload of [{ image: 12345 }, { url: 12345 }, { image: true }, { image: ['aGk='] }]) {
      const body = await expectProblem({ method: 'POST', url: '/predict', payload }, 400, 'BODY_INVALID')
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/image|url/) })]))
    }
  })

  it('BODY_INVALID for both url and image, and for non-base64 image text', async () => {
    await expectProblem({ method: 'POST', url: '/predict', payload: { image: 'aGk=', url: 'https://example.com/a.jpg' } }, 400, 'BODY_INVALID')
    await expectProblem({ method: 'POST', url: '/predict', payload: { image: 'not base64 ***' } }, 400, 'BODY_INVALID')
  })

  it('IMAGE_MISSING for an empty body, an empty JSON object and a form without "image"', async () => {
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: '' }, 400, 'IMAGE_MISSING')
    await expectProblem({ method: 'POST', url: '/predict', payload: {} }, 400, 'IMAGE_MISSING')
    await expectProblem({ method: 'POST', url: '/predict', ...multipart('photo', cat) }, 400, 'IMAGE_MISSING')
  })

  it('IMAGE_TOO_LARGE for a body over the limit, raw, JSON and multipart', async () => {
    const big = Buffer.alloc(testConfig.MAX_BODY_BYTES + 1, 0xff)
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: big }, 413, 'IMAGE_TOO_LARGE')
    await expectProblem({ method: 'POST', url: '/predict', payload: { image: big.toString('base64') } }, 413, 'IMAGE_TOO_LARGE')
    await expectProblem({ method: 'POST', url: '/predict', ...multipart('image', big) }, 413, 'IMAGE_TOO_LARGE')
  })

  it('IMAGE_TOO_LARGE for an image with more pixels than the limit (a pixel bomb)', async () => {
    const small = buildTestServer((await loadShared('resnet')).bundle, classifier, { config: { ...testConfig, MAX_IMAGE_PIXELS: 100_000 } }).app
    // 2000x2000 of one colour compresses to a few kB but would decode to 12 MB.
    const bomb = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#808080' } }).png().toBuffer()
    expect(bomb.length).toBeLessThan(100_000)
    const res = await small.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/png' }, payload: bomb })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ code: 'IMAGE_TOO_LARGE', status: 413 })
    await small.close()
  })

  it('IMAGE_UNSUPPORTED_TYPE for text, an SVG, and a text content type', async () => {
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: 'just some text, not an image' }, 415, 'IMAGE_UNSUPPORTED_TYPE')
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/svg+xml' }, payload: svg }, 415, 'IMAGE_UNSUPPORTED_TYPE')
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'text/plain' }, payload: 'hello' }, 415, 'IMAGE_UNSUPPORTED_TYPE')
  })

  it('IMAGE_UNDECODABLE for a truncated JPEG and a corrupt PNG', async () => {
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: cat.subarray(0, cat.length / 3) }, 422, 'IMAGE_UNDECODABLE')
    const png = await sharp(cat).png().toBuffer()
    const corrupt = Buffer.concat([png.subarray(0, 64), Buffer.alloc(2048, 0x41)])
    await expectProblem({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/png' }, payload: corrupt }, 422, 'IMAGE_UNDECODABLE')
  })

  it('NOT_FOUND as problem+json for an unknown route', async () => {
    await expectProblem({ method: 'GET', url: '/nope' }, 404, 'NOT_FOUND')
  })
})

describe('readiness', () => {
  it('answers 503 MODEL_NOT_READY on /readyz and /predict until the model is loaded', async () => {
    const loading = buildTestServer(bundle, undefined).app
    const ready = await loading.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ code: 'MODEL_NOT_READY', status: 503 })
    const predict = await loading.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: cat })
    expect(predict.statusCode).toBe(503)
    expect(predict.json()).toMatchObject({ code: 'MODEL_NOT_READY' })
    expect(predict.headers['retry-after']).toBeDefined()
    expect((await loading.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    await loading.close()
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' })
  })

  it('describes the model on /metadata', async () => {
    const res = await app.inject({ method: 'GET', url: '/metadata' })
    expect(res.json()).toMatchObject({ id: 'resnet', version: '2.0.0', classes: 10, sha256: bundle.manifest.sha256, input: { width: 32, height: 32, layout: 'NCHW' } })
    expect(res.json().labels).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'])
  })
})
