import { once } from 'node:events'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import fp from 'fastify-plugin'
import pino from 'pino'
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { buildServer, commonProblems, defineProblem, health } from '../src/index.ts'
import { uploadThenRead } from './uploader.ts'

const Teapot = defineProblem('TEA_TOO_HOT', 418, 'Tea is too hot')

/** A server whose log lines are collected as parsed JSON. */
function capture (): { app: ReturnType<typeof buildServer>, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } })
  const app = buildServer({ name: 'test', loggerInstance: pino({ level: 'info' }, stream) })
  return { app, lines }
}

describe('buildServer', () => {
  it('answers our problems as RFC 9457 problem+json with code, requestId and headers', async () => {
    const { app } = capture()
    app.get('/tea', async () => { throw new Teapot('Wait two minutes.', { headers: { 'retry-after': '120' }, extra: { temperature: 95 } }) })
    const res = await app.inject({ url: '/tea', headers: { 'x-request-id': 'req-1' } })
    expect(res.statusCode).toBe(418)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers['retry-after']).toBe('120')
    expect(res.json()).toEqual({
      type: 'https://modelgate.dev/errors/tea-too-hot', title: 'Tea is too hot', status: 418, detail: 'Wait two minutes.', code: 'TEA_TOO_HOT', requestId: 'req-1', temperature: 95
    })
  })

  it('lets a client that reads only after sending read its 413: the connection lingers, reading what still comes', async () => {
    const { app } = capture()
    app.post('/upload', { bodyLimit: 1024 * 1024 }, async () => ({ ok: true }))
    app.addContentTypeParser('image/jpeg', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      for (let i = 0; i < 3; i++) {
        const result = await uploadThenRead(url, '/upload', { 'content-type': 'image/jpeg' }, 64 * 1024 * 1024)
        expect(result.head).toMatch(/^HTTP\/1\.1 413 /)
        expect(result.head.toLowerCase()).toContain('connection: close')
        expect(result.error).toBeUndefined()
      }
    } finally {
      await app.close()
    }
  })

  it('turns validation failures into BODY_INVALID with an errors list', async () => {
    const { app } = capture()
    app.post('/v', { schema: { body: Type.Object({ n: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }) } }, async () => ({ ok: true }))
    const res = await app.inject({ method: 'POST', url: '/v', payload: { n: 0, x: 1 } })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'BODY_INVALID', errors: expect.arrayContaining([{ path: 'body/n', message: expect.any(String) }, { path: 'body/x', message: expect.any(String) }]) })
  })

  it('hides unexpected errors behind 500 INTERNAL and logs them with the request id', async () => {
    const { app, lines } = capture()
    app.get('/boom', async () => { throw new Error('database password is hunter2') })
    const res = await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-boom' } })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toMatchObject({ code: 'INTERNAL', status: 500, requestId: 'req-boom' })
    expect(res.body).not.toContain('hunter2')
    const logged = lines.find((l) => l.msg === 'request failed')!
    expect(logged).toMatchObject({ reqId: 'req-boom', errCode: 'INTERNAL', level: 50 })
    expect(JSON.stringify(logged.err)).toContain('hunter2')
  })

  it('writes one access line per request with the documented fields and no secrets', async () => {
    const { app, lines } = capture()
    app.post('/echo', async (request) => {
      request.logFields.modelId = 'resnet'
      return { ok: true }
    })
    await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 }, headers: { authorization: 'Bearer mg_secret', 'x-api-key': 'mg_secret2', 'x-request-id': 'r-2' } })
    const access = lines.filter((l) => l.msg === 'request completed')
    expect(access).toHaveLength(1)
    expect(access[0]).toMatchObject({ reqId: 'r-2', service: 'test', method: 'POST', route: '/echo', statusCode: 200, modelId: 'resnet', clientIp: '127.0.0.1', bytesIn: 7 })
    expect(typeof access[0]!.responseTimeMs).toBe('number')
    expect(JSON.stringify(lines)).not.toContain('mg_secret')
  })

  it('answers unknown routes with NOT_FOUND problem+json and notes the code in the access line', async () => {
    const { app, lines } = capture()
    const res = await app.inject({ url: '/missing?x=1' })
    expect(res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'There is no route GET /missing.' })
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ statusCode: 404, errCode: 'NOT_FOUND' })
  })

  it('reports readiness from isReady', async () => {
    const { app } = capture()
    let ready = false
    app.register(health, { isReady: () => ready, notReady: () => new commonProblems.ServiceNotReady('loading') })
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    const before = await app.inject({ url: '/readyz' })
    expect(before.statusCode).toBe(503)
    expect(before.json()).toMatchObject({ code: 'SERVICE_NOT_READY', detail: 'loading' })
    ready = true
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' })
  })
})

describe('access log of health probes', () => {
  it('logs successful /healthz and /readyz at debug, failing ones at info', async () => {
    const { app, lines } = capture()
    let ready = false
    app.register(health, { isReady: () => ready })
    await app.inject({ url: '/healthz' })
    await app.inject({ url: '/readyz' })
    ready = true
    await app.inject({ url: '/readyz' })
    const access = lines.filter((l) => l.msg === 'request completed')
    expect(access.map((l) => [l.route, l.statusCode, l.level])).toEqual([['/readyz', 503, 30]])
  })
})

describe('draining', () => {
  it('lets an in-flight request finish, closes its kept-alive connection after it, and closes at once', async () => {
    const { app } = capture()
    let release!: () => void
    let started!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    const inside = new Promise<void>((resolve) => { started = resolve })
    app.get('/slow', async () => { started(); await gate; return { done: true } })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const socket = connect((app.server.address() as { port: number }).port, '127.0.0.1')
    let raw = ''
    socket.on('data', (d: Buffer) => { raw += d.toString() })
    const ended = once(socket, 'close')
    socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n')
    await inside
    const closing = performance.now()
    const closed = app.close()
    await new Promise((resolve) => setImmediate(resolve)) // close() runs its preClose hooks first
    release()
    // The server ends the connection after the response: the client (here a raw socket) would keep it.
    await ended
    await closed
    expect(raw).toMatch(/^HTTP\/1\.1 200/)
    expect(raw).toMatch(/connection: close/i)
    expect(raw).toContain('{"done":true}')
    // Not held open until keepAliveTimeout (72 s) or a grace period.
    expect(performance.now() - closing).toBeLessThan(5000)
  })

  it('answers a request that arrives while draining with 503 SHUTTING_DOWN, Connection: close and Retry-After', async () => {
    const { app } = capture()
    let resume!: () => void
    const held = new Promise<void>((resolve) => { resume = resolve })
    // Holds the close after the drain's preClose (registered before) and before the listener closes.
    app.register(fp(async (scope) => { scope.addHook('preClose', async () => { await held }) }))
    app.get('/fast', async () => ({ fast: true }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    const closed = app.close()
    await new Promise((resolve) => setImmediate(resolve))
    const late = await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/fast`)
    resume()
    await closed
    expect(late.status).toBe(503)
    expect(late.headers.get('connection')).toBe('close')
    expect(late.headers.get('retry-after')).toBe('1')
    expect(await late.json()).toMatchObject({ code: 'SHUTTING_DOWN' })
  })
})
