import { once } from 'node:events'
import { connect } from 'node:net'
import { Readable, Writable } from 'node:stream'
import { buildServer, defineProblem } from '@modelgate/server-kit'
import pino from 'pino'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildHarness, upstreamsFor } from './gateway-harness.ts'

const Undecodable = defineProblem('IMAGE_UNDECODABLE', 422, 'Image cannot be decoded')
const answer = { model: { id: 'resnet', name: 'ResNet', version: '2.0.0' }, predictions: [{ label: 'cat', index: 3, probability: 0.9 }], timing: { totalMs: 1 } }

/** A model-service stand-in built on the kit, so its problems carry the kit's x-problem-code header. */
async function kitUpstream (): Promise<string> {
  const app = buildServer({ name: 'fake-service', logLevel: 'silent' })
  app.get('/readyz', async () => ({ status: 'ready' }))
  app.addContentTypeParser('image/jpeg', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
  app.post('/predict', async (request, reply) => {
    const mode = (request.query as { mode?: string }).mode
    if (mode === 'problem') throw new Undecodable('The JPEG data ends early.')
    // Chunked: no Content-Length, so only counting the relayed bytes gives bytesOut.
    if (mode === 'chunked') return await reply.type('application/json').send(Readable.from([Buffer.from(JSON.stringify(answer).slice(0, 20)), Buffer.from(JSON.stringify(answer).slice(20))]))
    return answer
  })
  onTestFinished(async () => { await app.close() })
  return await app.listen({ host: '127.0.0.1', port: 0 })
}

async function setup (): Promise<{ app: Awaited<ReturnType<typeof buildHarness>>['app'], secret: string, keyId: string, lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } })
  const url = await kitUpstream()
  const harness = await buildHarness(upstreamsFor({ resnet: [url] }), { loggerInstance: pino({ level: 'info' }, stream) })
  const { id, secret } = await harness.createKey()
  return { app: harness.app, secret, keyId: id, lines }
}

const accessLines = (lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> => lines.filter((l) => l.msg === 'request completed')

// The contract of docs/logging.md: every access line has every one of these keys.
const FIELDS = ['time', 'reqId', 'method', 'route', 'modelId', 'modelVersion', 'upstream', 'statusCode', 'responseTimeMs', 'upstreamMs',
  'retriedFrom', 'retryReason', 'principal', 'clientIp', 'bytesIn', 'bytesOut', 'rateLimited', 'clientClosed', 'errCode']

describe('the access log line', () => {
  it('carries every documented field for a proxied request, with the bytes really sent', async () => {
    const { app, secret, keyId, lines } = await setup()
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict?mode=chunked', headers: { authorization: `Bearer ${secret}`, 'x-request-id': 'log-1', 'content-type': 'application/json' }, payload: '{"url":"http://127.0.0.1:1/a.jpg"}' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-length']).toBeUndefined()
    const [line] = accessLines(lines)
    expect(Object.keys(line!)).toEqual(expect.arrayContaining(FIELDS))
    expect(line).toMatchObject({
      reqId: 'log-1',
      method: 'POST',
      route: '/model/:id/predict',
      modelId: 'resnet',
      modelVersion: '2.0.0',
      upstream: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      statusCode: 200,
      principal: { type: 'key', id: keyId },
      clientIp: '127.0.0.1',
      bytesIn: 34,
      bytesOut: res.rawPayload.length,
      rateLimited: false,
      errCode: null
    })
    expect(line!.upstreamMs).toEqual(expect.any(Number))
    expect(line!.responseTimeMs).toBeGreaterThanOrEqual(line!.upstreamMs as number)
    expect(typeof line!.time).toBe('number')
  })

  it('writes the line of an upload its client abandoned: 499, clientClosed, the bytes that came', async () => {
    const { app, secret, lines } = await setup()
    const address = await app.listen({ host: '127.0.0.1', port: 0 })
    const socket = connect(Number(new URL(address).port), '127.0.0.1')
    await once(socket, 'connect')
    socket.write(`POST /model/resnet/predict HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${secret}\r\nx-request-id: abandoned-1\r\ncontent-type: image/jpeg\r\ncontent-length: 100000\r\n\r\n`)
    socket.write(Buffer.alloc(30_000, 1))
    await expect.poll(() => app.upstreams.inFlight(app.upstreams.replicas('resnet')[0]!.url)).toBe(1)
    socket.destroy()
    await expect.poll(() => accessLines(lines).find((l) => l.reqId === 'abandoned-1')).toBeDefined()
    const line = accessLines(lines).find((l) => l.reqId === 'abandoned-1')
    expect(Object.keys(line!)).toEqual(expect.arrayContaining(FIELDS))
    expect(line).toMatchObject({ statusCode: 499, clientClosed: true, bytesIn: 30_000, modelId: 'resnet', route: '/model/:id/predict' })
    expect(accessLines(lines).filter((l) => l.reqId === 'abandoned-1')).toHaveLength(1)
    // An answered request says it was not.
    await app.inject({ url: '/models' })
    expect(accessLines(lines).at(-1)).toMatchObject({ clientClosed: false })
  })

  it('counts a chunked request body in bytesIn', async () => {
    const { app, secret, lines } = await setup()
    const chunks = [Buffer.alloc(1000, 1), Buffer.alloc(2345, 2)]
    await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'content-type': 'image/jpeg' }, payload: Readable.from(chunks) })
    expect(accessLines(lines)[0]).toMatchObject({ bytesIn: 3345, statusCode: 200 })
  })

  it('names the code of a problem relayed from the service, and the version that answered it', async () => {
    const { app, secret, lines } = await setup()
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict?mode=problem', headers: { 'x-api-key': secret }, payload: { url: 'http://127.0.0.1:1/a.jpg' } })
    expect(res.json()).toMatchObject({ status: 422, code: 'IMAGE_UNDECODABLE' })
    expect(res.headers['x-problem-code']).toBe('IMAGE_UNDECODABLE')
    expect(accessLines(lines)[0]).toMatchObject({ statusCode: 422, errCode: 'IMAGE_UNDECODABLE', modelVersion: '2.0.0', bytesOut: res.rawPayload.length })
  })

  it('names the model and the gateway\'s own code for a refused request, with nulls where nothing applies', async () => {
    const { app, lines } = await setup()
    await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { authorization: 'Bearer mg_not-a-real-key-0123456789' }, payload: {} })
    await app.inject({ method: 'GET', url: '/models' })
    const [refused, models] = accessLines(lines)
    expect(refused).toMatchObject({ statusCode: 401, errCode: 'AUTH_INVALID', modelId: 'resnet', modelVersion: null, upstream: null, upstreamMs: null, principal: null, rateLimited: false })
    expect(Object.keys(models!)).toEqual(expect.arrayContaining(FIELDS))
    expect(models).toMatchObject({ route: '/models', modelId: null, errCode: null, bytesOut: expect.any(Number) })
  })

  it('does not make up a model id from the URL', async () => {
    const { app, secret, lines } = await setup()
    await app.inject({ method: 'POST', url: '/model/no-such-model/predict', headers: { 'x-api-key': secret }, payload: {} })
    expect(accessLines(lines)[0]).toMatchObject({ statusCode: 404, errCode: 'MODEL_NOT_FOUND', modelId: null })
  })

  it('never logs a key or a token', async () => {
    const { app, secret, lines } = await setup()
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ'
    await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret }, payload: {} })
    await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { authorization: `Bearer ${token}` }, payload: {} })
    expect(accessLines(lines)).toHaveLength(2)
    const text = JSON.stringify(lines)
    expect(text).not.toContain(secret)
    expect(text).not.toContain(secret.slice(12))
    expect(text).not.toContain('c2VjcmV0LXNpZ25hdHVyZQ')
  })
})
