// Fuzzes the model service's request reading (content-type parsers, body schema, read-input) through
// POST /predict with the real bundle: arbitrary JSON, bodies and forms end in 200 or a 4xx problem.
// The image fetcher refuses every address and resolves no name, so nothing leaves the process.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '@modelgate/server-kit'
import { createImageFetcher } from '../../services/model-server/src/image/fetch-image.ts'
import type { Classifier } from '../../services/model-server/src/inference/classifier.ts'
import { buildTestServer, loadShared } from '../../services/model-server/test/build.ts'
import { strayAttempts, tripwire } from '../../services/model-server/test/loopback-tripwire.ts'
import { SHARED_IMAGES } from '../helpers/spawn.ts'
import { readFixture } from './corpus.ts'

const CLIENT_CODES = new Set(['BODY_INVALID', 'IMAGE_MISSING', 'IMAGE_TOO_LARGE', 'IMAGE_UNSUPPORTED_TYPE', 'IMAGE_UNDECODABLE', 'IMAGE_URL_FORBIDDEN', 'IMAGE_URL_FAILED', 'PAYLOAD_TOO_LARGE'])
const BOUNDARY = 'fuzzboundary'

let app: App
let classifier: Classifier
let fetcher: ReturnType<typeof createImageFetcher>
const photo = readFileSync(`${SHARED_IMAGES}cat_720p.jpg`)

beforeAll(async () => {
  const shared = await loadShared('resnet')
  classifier = shared.classifier
  fetcher = createImageFetcher({
    isForbidden: () => true,
    lookup: async (hostname) => { throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }) },
    timeoutMs: 1000
  })
  app = buildTestServer(shared.bundle, classifier, { fetchImage: fetcher }).app
  await app.ready()
  tripwire.arm()
})
afterAll(async () => {
  tripwire.disarm()
  await Promise.all([app.close(), fetcher.close(), classifier.close()])
})

/** Posts and checks the answer is a classification or a client problem; returns its code. */
async function predict (headers: Record<string, string>, payload: string | Buffer, query = ''): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `/predict${query}`, headers, payload })
  expect(strayAttempts, 'connections beyond loopback').toEqual([])
  if (res.statusCode === 200) return 'OK'
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = res.json<{ code: string, status: number }>()
  expect(body.status).toBe(res.statusCode)
  expect(CLIENT_CODES, `${res.statusCode} ${res.body}`).toContain(body.code)
  return body.code
}

const imageValue = fc.oneof(
  fc.jsonValue(),
  fc.base64String({ maxLength: 400 }),
  fc.constantFrom('truncated.jpg', 'script.svg', 'pixel-bomb.png', 'gif-js-polyglot.gif', 'zero-byte.jpg').map((f) => readFixture(f).toString('base64')),
  fc.constantFrom('data:image/png;base64,', 'data:;base64,', 'data:text/html;base64,').map((p) => p + photo.subarray(0, 2000).toString('base64')),
  fc.string({ maxLength: 40 })
)
const urlValue = fc.oneof(fc.webUrl(), fc.string({ maxLength: 60 }), fc.constantFrom('http://127.0.0.1/', 'http://[::1]/', 'file:///etc/passwd', 'http://2130706433/', 'http://metadata.test/'))
const topkValue = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 }), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }))
const jsonBody = fc.record({
  image: imageValue, url: urlValue, topk: topkValue, extra: fc.jsonValue()
}, { requiredKeys: [] }).chain((body) => fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'Image', 'URL'), fc.jsonValue(), { maxKeys: 1 })
  .map((more) => ({ ...body, ...more })))

describe('POST /predict under arbitrary requests', () => {
  it('answers any JSON body with a classification or a client problem', async () => {
    const query = fc.oneof(fc.constant(''), fc.string({ maxLength: 8 }).map((t) => `?topk=${encodeURIComponent(t)}`))
    await fc.assert(fc.asyncProperty(jsonBody, query, async (body, q) => {
      await predict({ 'content-type': 'application/json' }, JSON.stringify(body), q)
    }), { numRuns: 300 })
  })

  it('answers any bytes under any content type with a classification or a client problem', async () => {
    const contentType = fc.oneof(
      fc.constantFrom('image/jpeg', 'image/png', 'image/svg+xml', 'application/octet-stream', 'application/json', 'text/plain', 'application/xml',
        'multipart/form-data', `multipart/form-data; boundary=${BOUNDARY}`, 'multipart/mixed; boundary=x', 'application/json; charset=utf-16', 'image/'),
      fc.stringMatching(/^[a-z]{1,8}\/[a-z0-9.+-]{1,12}$/)
    )
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)), fc.nat(photo.length).map((n) => photo.subarray(0, n)))
    await fc.assert(fc.asyncProperty(contentType, bytes, async (type, payload) => {
      await predict({ 'content-type': type }, payload)
    }), { numRuns: 300 })
  })

  it('answers any broken multipart form with a classification or a client problem', async () => {
    const part = (name: string, body: Buffer, filename = 'a.jpg'): Buffer => Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`), body, Buffer.from('\r\n')])
    const form = Buffer.concat([part('image', photo.subarray(0, 4000)), Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="topk"\r\n\r\n3\r\n--${BOUNDARY}--\r\n`)])
    const broken = fc.tuple(fc.nat(form.length), fc.nat(form.length), fc.uint8Array({ maxLength: 32 }), fc.boolean())
      .map(([cut, at, junk, truncate]) => truncate ? form.subarray(0, cut) : Buffer.concat([form.subarray(0, at), Buffer.from(junk), form.subarray(at)]))
    await fc.assert(fc.asyncProperty(broken, async (payload) => {
      await predict({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload)
    }), { numRuns: 300 })
  })
})
