// The client against a small gateway on loopback (real HTTP, real headers and bodies) that can fail on
// demand: sessions, retries, timeouts and answers no real gateway gives. tests/integration/client.test.ts
// runs it against the real platform.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, buildServer, defineProblem } from '@modelgate/server-kit'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Modelgate, ModelgateError } from '../src/index.ts'

const AuthExpired = defineProblem('AUTH_EXPIRED', 401, 'Token expired')
const AuthRequired = defineProblem('AUTH_REQUIRED', 401, 'Authentication required')
const RateLimited = defineProblem('RATE_LIMITED', 429, 'Too many requests')
const Unavailable = defineProblem('MODEL_UNAVAILABLE', 503, 'Model unavailable')
const BodyInvalid = defineProblem('BODY_INVALID', 400, 'Request body is invalid')

interface Seen { contentType?: string, body: Buffer, authorization?: string, version?: string, url: string }

let app: App
let baseUrl: string
let minted = 0
/** Lifetime of the next session tokens. */
let tokenLifetimeMs = 10 * 60_000
/** What the next predict calls answer, in order; then 200. */
let failures: Array<() => never> = []
let delayMs = 0
const valid = new Set<string>()
const seen: Seen[] = []

const answer = { model: { id: 'resnet', name: 'ResNet-56', version: '2.0.0' }, predictions: [{ label: 'cat', index: 3, probability: 0.97 }], timing: { totalMs: 5 } }

beforeAll(async () => {
  app = buildServer({ name: 'fake-gateway', logLevel: 'silent' })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
  app.post('/auth/session', async () => {
    const token = `token-${++minted}`
    valid.add(token)
    return { token, expiresAt: new Date(Date.now() + tokenLifetimeMs).toISOString() }
  })
  app.get('/models', async () => ({ models: [{ id: 'resnet', name: 'ResNet-56', version: '2.0.0', classes: 10, input: { width: 32, height: 32 }, status: 'ready' }] }))
  app.post('/model/:id/predict', async (request) => {
    const authorization = request.headers.authorization
    seen.push({ contentType: request.headers['content-type'], body: request.body as Buffer, authorization, version: request.headers['x-model-version'] as string | undefined, url: request.url })
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
    const token = authorization?.replace(/^Bearer /, '')
    if (token === undefined || !(valid.has(token) || token === 'mg_key')) throw new AuthRequired('No valid token.')
    failures.shift()?.()
    return answer
  })
  app.get('/ops/summary', async (request, reply) => {
    if (request.headers.authorization !== 'Bearer admin-key') return await reply.code(401).type('application/problem+json').send({ title: 'No', status: 401, code: 'AUTH_INVALID', detail: 'Not an admin key.' })
    return { windowSeconds: 300, generatedAt: new Date().toISOString(), models: [] }
  })
  // A proxy in front of a gateway that is down, under the path prefix /proxied.
  app.get('/proxied/models', async (_request, reply) => await reply.code(502).type('text/html').send('<html>Bad Gateway</html>'))
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => { await app.close() })
beforeEach(() => {
  seen.length = 0
  failures = []
  delayMs = 0
  tokenLifetimeMs = 10 * 60_000
})

const withKey = (opts: Partial<ConstructorParameters<typeof Modelgate>[0]> = {}): Modelgate => new Modelgate({ baseUrl, apiKey: 'mg_key', ...opts })
const caught = async (promise: Promise<unknown>): Promise<ModelgateError> => await promise.then(() => { throw new Error('resolved') }, (e: unknown) => e as ModelgateError)

describe('Modelgate', () => {
  it('lists the models without a credential', async () => {
    const mg = new Modelgate({ baseUrl: `${baseUrl}/` })
    expect((await mg.models()).models).toEqual([expect.objectContaining({ id: 'resnet', status: 'ready' })])
  })

  it('sends bytes, a Blob or File with its type, a URL as JSON, and a file path read from disk', async () => {
    const mg = withKey()
    const path = join(mkdtempSync(join(tmpdir(), 'client-')), 'cat.jpg')
    writeFileSync(path, 'bytes from disk')
    expect(await mg.classify('resnet', Buffer.from('raw bytes'), { topk: 3, version: '2.0.0' })).toEqual(answer)
    await mg.classify('resnet', new Blob(['blob bytes'], { type: 'image/png' }))
    await mg.classify('resnet', new File(['file bytes'], 'cat.webp', { type: 'image/webp' }))
    await mg.classify('resnet', 'https://images.example/cat.jpg')
    await mg.classify('resnet', path)
    expect(seen.map((s) => [s.contentType, s.body.toString()])).toEqual([
      ['application/octet-stream', 'raw bytes'],
      ['image/png', 'blob bytes'],
      ['image/webp', 'file bytes'],
      ['application/json', '{"url":"https://images.example/cat.jpg"}'],
      ['application/octet-stream', 'bytes from disk']
    ])
    expect(seen[0]).toMatchObject({ url: '/model/resnet/predict?topk=3', version: '2.0.0', authorization: 'Bearer mg_key' })
    expect(seen[1]!.version).toBeUndefined()
  })

  it('refuses an input it cannot send, as INPUT_INVALID, before any request', async () => {
    const missing = await caught(withKey().classify('resnet', '/no/such/cat.jpg'))
    expect(missing).toBeInstanceOf(ModelgateError)
    expect(missing).toMatchObject({ code: 'INPUT_INVALID', status: 0, detail: '/no/such/cat.jpg: ENOENT' })
    expect(await caught(withKey().classify('resnet', 42 as unknown as string))).toMatchObject({ code: 'INPUT_INVALID' })
    expect(seen).toEqual([])
  })

  it('with session: one token for concurrent calls, a new one near expiry, and one fresh token on AUTH_EXPIRED', async () => {
    tokenLifetimeMs = 30_400 // renewed 30 s before it expires: after 0.4 s
    const mg = new Modelgate({ baseUrl, session: true })
    const before = minted
    await Promise.all([1, 2, 3].map(async () => await mg.classify('resnet', Buffer.from('a'))))
    expect(minted - before).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 500))
    await mg.classify('resnet', Buffer.from('a'))
    expect(minted - before).toBe(2)
    tokenLifetimeMs = 10 * 60_000
    failures = [() => { throw new AuthExpired('The token expired.') }]
    expect(await mg.classify('resnet', Buffer.from('a'))).toEqual(answer)
    expect(minted - before).toBe(3)
    expect(new Set(seen.map((s) => s.authorization)).size).toBe(3)
  })

  it('retries 429 and 503, waiting Retry-After, then answers', async () => {
    failures = [
      () => { throw new RateLimited('Limit reached.', { headers: { 'retry-after': '1' } }) },
      () => { throw new Unavailable('Every replica is down.', { headers: { 'retry-after': '1' } }) }
    ]
    const started = performance.now()
    expect(await withKey().classify('resnet', Buffer.from('a'))).toEqual(answer)
    expect(seen).toHaveLength(3)
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000)
  })

  it('stops after maxRetries with the last problem, and never retries other 4xx; maxRetries 0 turns retries off', async () => {
    const unavailable = (): never => { throw new Unavailable('Every replica is down.') }
    failures = [unavailable, unavailable, unavailable, unavailable]
    const error = await caught(withKey({ maxRetries: 2 }).classify('resnet', Buffer.from('a')))
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 503, detail: 'Every replica is down.' })
    expect(error.requestId).toEqual(expect.any(String))
    expect(seen).toHaveLength(3)
    seen.length = 0
    failures = [() => { throw new BodyInvalid('No.') }]
    expect(await caught(withKey().classify('resnet', Buffer.from('a')))).toMatchObject({ code: 'BODY_INVALID', status: 400 })
    expect(seen).toHaveLength(1)
    seen.length = 0
    failures = [unavailable]
    expect(await caught(withKey({ maxRetries: 0 }).classify('resnet', Buffer.from('a')))).toMatchObject({ code: 'MODEL_UNAVAILABLE' })
    expect(seen).toHaveLength(1)
  })

  it('turns no answer into NETWORK (retried), a slow one into TIMEOUT, and a non-problem error into UNEXPECTED_RESPONSE', async () => {
    const closed = buildServer({ name: 'closed', logLevel: 'silent' })
    const url = await closed.listen({ host: '127.0.0.1', port: 0 })
    await closed.close()
    let calls = 0
    const counting: typeof fetch = async (input, init) => { calls++; return await fetch(input, init) }
    const network = await caught(new Modelgate({ baseUrl: url, fetch: counting }).models())
    expect(network).toMatchObject({ code: 'NETWORK', status: 0 })
    expect(network.detail).toContain(`${url}/models`)
    expect(calls).toBe(3)

    delayMs = 2000
    expect(await caught(withKey({ timeoutMs: 200 }).classify('resnet', Buffer.from('a')))).toMatchObject({ code: 'TIMEOUT', status: 0 })

    const html = await caught(new Modelgate({ baseUrl: `${baseUrl}/proxied`, maxRetries: 0 }).models())
    expect(html).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502 })
  })

  it('stops at once when the signal aborts, while waiting to retry too', async () => {
    failures = [() => { throw new RateLimited('Limit reached.', { headers: { 'retry-after': '30' } }) }]
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const started = performance.now()
    expect(await caught(withKey().classify('resnet', Buffer.from('a'), { signal: controller.signal }))).toMatchObject({ code: 'ABORTED' })
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(await caught(withKey().models({ signal: AbortSignal.abort() }))).toMatchObject({ code: 'ABORTED' })
  })

  it('reads /ops/summary with the key given for the call', async () => {
    const mg = new Modelgate({ baseUrl, session: true })
    expect(await mg.opsSummary({ apiKey: 'admin-key' })).toMatchObject({ windowSeconds: 300, models: [] })
    expect(await caught(mg.opsSummary({ apiKey: 'wrong' }))).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
  })
})
