import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { uploadThenRead } from '../../packages/server-kit/test/uploader.ts'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness, upstreamsFor } from './gateway-harness.ts'

const photo = readFileSync(new URL('../../../shared/images/cat_720p.jpg', import.meta.url))
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

describe('POST /model/:id/predict', () => {
  it('streams the body unchanged to the replica\'s /predict with the query string', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const { secret } = await createKey()
    const res = await app.inject({
      method: 'POST',
      url: '/model/resnet/predict?topk=3',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'image/jpeg' },
      payload: photo
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ model: { id: 'resnet' }, predictions: [{ label: 'cat' }] })
    expect(fake.received).toHaveLength(1)
    expect(fake.received[0]).toMatchObject({ url: '/predict?topk=3', bytes: photo.length, sha256: sha(photo) })
  })

  it('sends a small body on unchanged, Content-Type and all: JSON with a charset, multipart with its boundary', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const { secret } = await createKey()
    const json = Buffer.from('{"url":"https://images.example/cat.jpg","topk":2}')
    const boundary = 'mg-boundary-7'
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="cat.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`),
      photo.subarray(0, 30_000),
      Buffer.from(`\r\n--${boundary}--\r\n`)
    ])
    const bodies: Array<[string, Buffer]> = [['application/json; charset=utf-8', json], [`multipart/form-data; boundary=${boundary}`, multipart]]
    for (const [type, payload] of bodies) {
      const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'content-type': type }, payload })
      expect(res.statusCode).toBe(200)
      expect(fake.received.at(-1)).toMatchObject({ bytes: payload.length, sha256: sha(payload), headers: { 'content-type': type, 'content-length': String(payload.length) } })
    }
  })

  it('streams a chunked body of unknown length', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const { secret } = await createKey()
    const res = await app.inject({
      method: 'POST',
      url: '/model/resnet/predict',
      headers: { 'x-api-key': secret, 'content-type': 'image/jpeg' },
      payload: Readable.from([photo.subarray(0, 1000), photo.subarray(1000)])
    })
    expect(res.statusCode).toBe(200)
    expect(fake.received[0]).toMatchObject({ bytes: photo.length, sha256: sha(photo) })
  })

  it('forwards request id and traceparent, sets x-forwarded-*, and removes credentials', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const { secret } = await createKey()
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const res = await app.inject({
      method: 'POST',
      url: '/model/resnet/predict',
      headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret, cookie: 'a=b', 'x-request-id': 'req-42', traceparent, 'x-forwarded-for': '6.6.6.6', 'content-type': 'application/json' },
      payload: { url: 'http://127.0.0.1:1/cat.jpg' }
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-request-id']).toBe('req-42')
    const headers = fake.received[0]?.headers ?? {}
    expect(headers['x-request-id']).toBe('req-42')
    expect(headers.traceparent).toBe(traceparent)
    expect(headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(headers['x-forwarded-proto']).toBe('http')
    expect(headers['x-forwarded-host']).toBeDefined()
    expect(headers.authorization).toBeUndefined()
    expect(headers['x-api-key']).toBeUndefined()
    expect(headers.cookie).toBeUndefined()
  })

  it('sends its service token, and never the caller\'s credentials, to predict and metadata', async () => {
    const fake = await fakeUpstreamForTest()
    const serviceToken = 'service-token-0123456789abcdef0123456789abcdef'
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }), { serviceToken })
    const { secret } = await createKey()
    const res = await app.inject({
      method: 'POST',
      url: '/model/resnet/predict',
      headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret, cookie: 'a=b', 'content-type': 'image/jpeg' },
      payload: photo
    })
    expect(res.statusCode).toBe(200)
    const headers = fake.received[0]?.headers ?? {}
    expect(headers.authorization).toBe(`Bearer ${serviceToken}`)
    expect(headers['x-api-key']).toBeUndefined()
    expect(headers.cookie).toBeUndefined()
    expect(fake.metadataAuthorization).toEqual([`Bearer ${serviceToken}`])
  })

  it('generates a request id when none is sent and drops a malformed traceparent', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const { secret } = await createKey()
    const res = await app.inject({
      method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, traceparent: 'garbage', 'content-type': 'image/jpeg' }, payload: photo
    })
    const sent = fake.received[0]?.headers ?? {}
    expect(sent['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers['x-request-id']).toBe(sent['x-request-id'])
    expect(sent.traceparent).toBeUndefined()
  })

  it('passes a service\'s problem+json through unchanged', async () => {
    const fake = await fakeUpstreamForTest()
    fake.problem = { status: 422, code: 'IMAGE_UNDECODABLE' }
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const { secret } = await createKey()
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'content-type': 'image/jpeg' }, payload: Buffer.from('not a jpeg') })
    expect(res.statusCode).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers['retry-after']).toBe('7')
    expect(res.json()).toEqual({
      type: 'https://modelgate.dev/errors/image_undecodable', title: 'from the service', status: 422, detail: 'service detail', code: 'IMAGE_UNDECODABLE', requestId: res.headers['x-request-id']
    })
  })

  it('answers 404 MODEL_NOT_FOUND listing the known models', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url], mobilenet: [fake.url] }))
    const { secret } = await createKey()
    const res = await app.inject({ method: 'POST', url: '/model/vgg/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'MODEL_NOT_FOUND', status: 404, knownModels: ['resnet', 'mobilenet'] })
    expect(fake.received).toHaveLength(0)
  })

  it('refuses a body over the limit with 413 before reaching the service, declared or chunked', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }), { config: { MAX_BODY_BYTES: 100_000 } })
    const { secret } = await createKey()
    const declared = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'content-type': 'image/jpeg' }, payload: photo })
    expect(declared.statusCode).toBe(413)
    expect(declared.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 })
    const chunked = await app.inject({
      method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'content-type': 'image/jpeg' }, payload: Readable.from([photo.subarray(0, 60_000), photo.subarray(60_000)])
    })
    expect(chunked.statusCode).toBe(413)
    expect(chunked.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 })
  })

  it('lets a client still sending a body over the limit read its 413, then closes', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }), { config: { MAX_BODY_BYTES: 1024 * 1024 } })
    const { secret } = await createKey()
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    for (let i = 0; i < 3; i++) {
      const result = await uploadThenRead(url, '/model/resnet/predict', { 'x-api-key': secret, 'content-type': 'image/jpeg' }, 64 * 1024 * 1024)
      expect(result.head).toMatch(/^HTTP\/1\.1 413 /)
      expect(result.head.toLowerCase()).toContain('connection: close')
      expect(result.error).toBeUndefined()
    }
    expect(fake.received).toHaveLength(0)
  })

  it('answers 504 UPSTREAM_TIMEOUT when the service is too slow', async () => {
    const fake = await fakeUpstreamForTest()
    fake.delayMs = 1500
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }), { config: { UPSTREAM_TIMEOUT_MS: 200 } })
    const { secret } = await createKey()
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    expect(res.statusCode).toBe(504)
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 })
  })

  it('answers 502 UPSTREAM_FAILED when the replica refuses connections, then 503 MODEL_UNAVAILABLE at once', async () => {
    const fake = await fakeUpstreamForTest()
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const { secret } = await createKey()
    await fake.close()
    const first = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    expect(first.statusCode).toBe(502)
    expect(first.json()).toMatchObject({ code: 'UPSTREAM_FAILED', status: 502 })
    const second = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    expect(second.statusCode).toBe(503)
    expect(second.json()).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 503 })
    expect(second.headers['retry-after']).toBe('60')
  })

  it('keeps other models working while one model\'s replicas are all down', async () => {
    const resnet = await fakeUpstreamForTest()
    const mobilenet = await fakeUpstreamForTest({ id: 'mobilenet' })
    resnet.ready = false
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [resnet.url], mobilenet: [mobilenet.url] }))
    const { secret } = await createKey()
    const down = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    expect(down.json()).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 503 })
    const up = await app.inject({ method: 'POST', url: '/model/mobilenet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    expect(up.statusCode).toBe(200)
    resnet.ready = true
    await app.healthChecker.checkNow()
    const back = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    expect(back.statusCode).toBe(200)
  })

  it('spreads requests over the healthy replicas and skips one that is not ready', async () => {
    const a = await fakeUpstreamForTest()
    const b = await fakeUpstreamForTest()
    const c = await fakeUpstreamForTest()
    c.ready = false
    const { app, createKey } = await buildHarness(upstreamsFor({ resnet: [a.url, b.url, c.url] }))
    const { secret } = await createKey()
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
      expect(res.statusCode).toBe(200)
    }
    expect(a.received).toHaveLength(5)
    expect(b.received).toHaveLength(5)
    expect(c.received).toHaveLength(0)
  })

  it('counts usage per key, model and day', async () => {
    const fake = await fakeUpstreamForTest()
    const now = (): number => Date.parse('2030-05-06T12:00:00Z')
    const { app, createKey, store } = await buildHarness(upstreamsFor({ resnet: [fake.url] }), { now })
    const { id, secret } = await createKey()
    for (let i = 0; i < 3; i++) {
      await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    }
    await app.inject({ method: 'POST', url: '/model/vgg/predict', headers: { 'x-api-key': secret }, payload: { url: 'http://x/y.jpg' } })
    await app.close()
    expect(await store.usage(id)).toEqual([{ keyId: id, modelId: 'resnet', day: '2030-05-06', requests: 3 }])
  })
})
