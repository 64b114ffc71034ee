// The API client against a small gateway on loopback: real HTTP, real headers, real bodies.
import { type App, buildServer, defineProblem } from '@modelgate/server-kit'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createGatewayClient } from '../src/api/client.ts'
import { ApiError, NETWORK_ERROR } from '../src/api/problem.ts'

const AuthExpired = defineProblem('AUTH_EXPIRED', 401, 'Token expired')
const AuthRequired = defineProblem('AUTH_REQUIRED', 401, 'Authentication required')
const RateLimited = defineProblem('RATE_LIMITED', 429, 'Too many requests')

interface Seen { contentType?: string, body: Buffer, authorization?: string, url: string }

let app: App
let baseUrl: string
let minted = 0
let expireNext = false
let limitNext = false
const valid = new Set<string>()
const seen: Seen[] = []

beforeAll(async () => {
  app = buildServer({ name: 'fake-gateway', logLevel: 'silent' })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => { done(null, body) })
  app.post('/auth/session', async () => {
    const token = `token-${++minted}`
    valid.add(token)
    return { token, expiresAt: new Date(Date.now() + 10 * 60_000).toISOString() }
  })
  app.get('/models', async () => ({ models: [{ id: 'resnet', name: 'ResNet-56', version: '2.0.0', classes: 10, input: { width: 32, height: 32 }, status: 'ready' }] }))
  app.post('/model/:id/predict', async (request, reply) => {
    const authorization = request.headers.authorization
    seen.push({ contentType: request.headers['content-type'], body: request.body as Buffer, authorization, url: request.url })
    const token = authorization?.replace(/^Bearer /, '')
    if (token === undefined || !valid.has(token)) throw new AuthRequired('No valid token.')
    if (expireNext) { expireNext = false; valid.delete(token); throw new AuthExpired('The token expired.') }
    if (limitNext) { limitNext = false; throw new RateLimited('Limit reached.', { headers: { 'retry-after': '3' } }) }
    reply.header('x-model-version', '2.0.0')
    return { model: { id: 'resnet', name: 'ResNet-56', version: '2.0.0' }, predictions: [{ label: 'cat', index: 3, probability: 0.97 }], timing: { totalMs: 5, inferenceMs: 2 } }
  })
  app.get('/ops/summary', async (request, reply) => {
    if (request.headers.authorization !== 'Bearer admin-key') return await reply.code(401).type('application/problem+json').send({ title: 'No', status: 401, code: 'AUTH_INVALID', detail: 'Not an admin key.' })
    return { windowSeconds: 300, generatedAt: new Date().toISOString(), models: [] }
  })
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => { await app.close() })
beforeEach(() => { seen.length = 0; expireNext = false; limitNext = false })

const cat = (): Blob => new Blob([Buffer.from('fake jpeg bytes')], { type: 'image/jpeg' })

describe('createGatewayClient', () => {
  it('lists models without a session', async () => {
    const client = createGatewayClient({ baseUrl: `${baseUrl}/` })
    expect(await client.listModels()).toEqual([expect.objectContaining({ id: 'resnet', status: 'ready' })])
  })

  it('sends a file as the raw body with its type, a bearer token, topk, and reads x-model-version', async () => {
    const client = createGatewayClient({ baseUrl })
    const result = await client.predict('resnet', { kind: 'file', file: cat(), name: 'cat.jpg' }, { topk: 3 })
    expect(result).toMatchObject({ servedVersion: '2.0.0', predictions: [{ label: 'cat' }] })
    expect(result.roundTripMs).toBeGreaterThanOrEqual(0)
    expect(seen[0]).toMatchObject({ contentType: 'image/jpeg', url: '/model/resnet/predict?topk=3' })
    expect(seen[0]!.body.toString()).toBe('fake jpeg bytes')
    expect(seen[0]!.authorization).toMatch(/^Bearer token-\d+$/)
  })

  it('sends an image URL as JSON', async () => {
    const client = createGatewayClient({ baseUrl })
    await client.predict('resnet', { kind: 'url', url: 'https://example.com/cat.jpg' })
    expect(seen[0]!.contentType).toBe('application/json')
    expect(JSON.parse(seen[0]!.body.toString())).toEqual({ url: 'https://example.com/cat.jpg' })
  })

  it('reuses one token for concurrent calls, and mints a new one when it nears expiry', async () => {
    let now = Date.now()
    const client = createGatewayClient({ baseUrl, now: () => now })
    const before = minted
    await Promise.all([1, 2, 3].map(async () => await client.predict('resnet', { kind: 'file', file: cat(), name: 'a' })))
    expect(minted - before).toBe(1)
    now += 10 * 60_000
    await client.predict('resnet', { kind: 'file', file: cat(), name: 'a' })
    expect(minted - before).toBe(2)
    expect(new Set(seen.map((s) => s.authorization)).size).toBe(2)
  })

  it('mints a new token and retries once when the gateway answers AUTH_EXPIRED', async () => {
    const client = createGatewayClient({ baseUrl })
    await client.startSession()
    expireNext = true
    const result = await client.predict('resnet', { kind: 'file', file: cat(), name: 'a' })
    expect(result.predictions[0]!.label).toBe('cat')
    expect(seen).toHaveLength(2)
    expect(seen[0]!.authorization).not.toBe(seen[1]!.authorization)
  })

  it('throws the gateway problem with its Retry-After', async () => {
    const client = createGatewayClient({ baseUrl })
    limitNext = true
    const err = await client.predict('resnet', { kind: 'file', file: cat(), name: 'a' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 3 })
    expect((err as ApiError).problem.requestId).toEqual(expect.any(String))
  })

  it('sends the admin key to /ops/summary and surfaces a refusal', async () => {
    const client = createGatewayClient({ baseUrl })
    expect(await client.opsSummary('admin-key')).toMatchObject({ windowSeconds: 300, models: [] })
    await expect(client.opsSummary('wrong')).rejects.toMatchObject({ code: 'AUTH_INVALID', status: 401 })
  })

  it('reports an unreachable gateway as NETWORK_ERROR naming its address', async () => {
    const closed = buildServer({ name: 'closed', logLevel: 'silent' })
    const url = await closed.listen({ host: '127.0.0.1', port: 0 })
    await closed.close()
    const err = await createGatewayClient({ baseUrl: url }).listModels().catch((e: unknown) => e)
    expect(err).toMatchObject({ code: NETWORK_ERROR })
    expect((err as ApiError).problem.detail).toContain(url)
  })
})
