// Bugs the hostile corpus and the fuzz tests found, each pinned by a test named for what broke: in
// the server kit every process shares, the model service's request reading, the upstreams file.
import type { AddressInfo } from 'node:net'
import { buildServer } from '@modelgate/server-kit'
import { parseUpstreams } from '../../gateway/src/config.ts'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { Bundle } from '../../services/model-server/src/bundle/load-bundle.ts'
import type { Classifier } from '../../services/model-server/src/inference/classifier.ts'
import { buildTestServer, loadShared } from '../../services/model-server/test/build.ts'
import { send } from './send.ts'

async function listeningKitServer (requestTimeoutMs: number): Promise<number> {
  const app = buildServer({ name: 'found-bugs', logLevel: 'silent', requestTimeoutMs })
  app.addContentTypeParser('image/jpeg', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
  app.post('/upload', async () => ({ ok: true }))
  app.get('/', async () => ({ ok: true }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  onTestFinished(async () => { await app.close() })
  return (app.server.address() as AddressInfo).port
}

describe('the server kit', () => {
  // Node computed headersTimeout (60 s) before Fastify set requestTimeout, which silently disabled
  // the request timeout: a body sent a byte at a time held its connection open forever.
  it('cuts an upload whose body trickles in for longer than requestTimeoutMs, with 408 problem+json', async () => {
    const port = await listeningKitServer(1000)
    const answer = await send(port, { method: 'POST', path: '/upload', headers: { 'content-type': 'image/jpeg', 'content-length': '100000' }, trickle: { part: 'body', everyMs: 100 } }, 10_000)
    expect(answer.status, answer.error).toBe(408)
    expect(answer.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 408 })
  })

  it('cuts a head that trickles in for longer than requestTimeoutMs', async () => {
    const port = await listeningKitServer(1000)
    const answer = await send(port, { method: 'GET', path: '/', headers: { host: 'x' }, trickle: { part: 'headers', everyMs: 100 } }, 10_000)
    expect(answer.status, answer.error).toBe(408)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' })
  })

  // Node's refusal of a head over 16 KiB came back as Fastify's own JSON, not as a problem.
  it('answers a head over 16 KiB with 431 HEADERS_TOO_LARGE problem+json', async () => {
    const port = await listeningKitServer(5000)
    const answer = await send(port, { method: 'GET', path: '/', headers: { 'x-pad': 'a'.repeat(20_000) } }, 10_000)
    expect(answer.status).toBe(431)
    expect(answer.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'HEADERS_TOO_LARGE', status: 431 })
  })

  // Node answered an unknown Expect with an empty 417.
  it('answers an Expect other than 100-continue with 417 EXPECTATION_FAILED problem+json', async () => {
    const port = await listeningKitServer(5000)
    const answer = await send(port, { method: 'POST', path: '/upload', headers: { 'content-type': 'image/jpeg', expect: 'bogus' }, body: Buffer.from('x') }, 10_000)
    expect(answer.status).toBe(417)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'EXPECTATION_FAILED', status: 417 })
  })
})

describe('the model service', () => {
  let bundle: Bundle
  let classifier: Classifier
  beforeAll(async () => { ({ bundle, classifier } = await loadShared('resnet')) })
  afterAll(async () => { await classifier.close() })

  // The form parser's plain errors reached the error handler unmapped: 500 INTERNAL for a client's mistake.
  it.each([
    ['without a boundary', 'multipart/form-data', 'garbage'],
    ['cut off inside the file', 'multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n\xff\xd8\xff'],
    ['that never contains its boundary', 'multipart/form-data; boundary=xyz', 'no boundary here']
  ])('answers 400 BODY_INVALID, not 500, for a multipart body %s', async (_name, contentType, payload) => {
    const { app } = buildTestServer(bundle, classifier)
    onTestFinished(async () => { await app.close() })
    const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': contentType }, payload })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'BODY_INVALID', status: 400 })
  })
})

describe('the upstreams file', () => {
  // The schema's pattern let through origins no URL parser takes; building the routing table then
  // threw "Invalid URL", naming neither the file nor the field.
  it.each(['http://a:99999', 'http://%', 'http://[::1'])('refuses the replica %s, naming the field', (replica) => {
    const file = { models: { resnet: { stable: { version: '1', replicas: ['http://127.0.0.1:8101', replica] } } } }
    expect(() => parseUpstreams(file)).toThrow(/models\.resnet\.stable\.replicas\[1\]: not a valid URL/)
  })
})
