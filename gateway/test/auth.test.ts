import { describe, expect, it } from 'vitest'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness, upstreamsFor } from './gateway-harness.ts'

const body = { url: 'http://127.0.0.1:1/cat.jpg' }

async function setup (now?: () => number): Promise<Awaited<ReturnType<typeof buildHarness>> & { fake: Awaited<ReturnType<typeof fakeUpstreamForTest>> }> {
  const fake = await fakeUpstreamForTest()
  const harness = await buildHarness(upstreamsFor({ resnet: [fake.url], mobilenet: [fake.url] }), now === undefined ? {} : { now })
  return { ...harness, fake }
}

describe('API key authentication on predict', () => {
  it('answers 401 AUTH_REQUIRED with WWW-Authenticate when no credential is sent', async () => {
    const { app, fake } = await setup()
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', payload: body })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'AUTH_REQUIRED', status: 401 })
    expect(res.headers['www-authenticate']).toBe('Bearer realm="modelgate"')
    expect(fake.received).toHaveLength(0)
  })

  it.each([
    ['an unknown key', { authorization: `Bearer mg_${'A'.repeat(43)}` }],
    ['a malformed key', { 'x-api-key': 'mg_short' }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a token no authenticator accepts', { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }],
    ['an absurdly long credential', { authorization: `Bearer mg_${'A'.repeat(10_000)}` }]
  ])('answers 401 AUTH_INVALID for %s', async (_name, headers) => {
    const { app } = await setup()
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers, payload: body })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
    expect(res.headers['www-authenticate']).toBe('Bearer realm="modelgate", error="invalid_token"')
  })

  it('accepts the same key as Bearer and as x-api-key, and refuses two different ones', async () => {
    const { app, createKey } = await setup()
    const { secret } = await createKey()
    const other = await createKey()
    const bearer = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { authorization: `Bearer ${secret}` }, payload: body })
    const header = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
    const both = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { authorization: `bearer ${secret}`, 'x-api-key': other.secret }, payload: body })
    expect([bearer.statusCode, header.statusCode]).toEqual([200, 200])
    expect(both.json()).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
  })

  it('answers 403 FORBIDDEN_MODEL for a model the key may not call', async () => {
    const { app, createKey, fake } = await setup()
    const { secret } = await createKey({ models: ['mobilenet'] })
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN_MODEL', status: 403 })
    const allowed = await app.inject({ method: 'POST', url: '/model/mobilenet/predict', headers: { 'x-api-key': secret }, payload: body })
    expect(allowed.statusCode).toBe(200)
    expect(fake.received).toHaveLength(1)
  })

  it('refuses a revoked key once the cache time has passed, without a restart', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z')
    const { app, createKey, store } = await setup(() => t)
    const { id, secret } = await createKey()
    const call = async (): Promise<number> => (await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })).statusCode
    expect(await call()).toBe(200)
    await store.revoke(id, new Date(t))
    t += 500
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
    expect(res.json()).toMatchObject({ code: 'AUTH_INVALID', status: 401, detail: 'The API key has been revoked.' })
  })

  it('refuses a key after its expiry time', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z')
    const { app, createKey } = await setup(() => t)
    const { secret } = await createKey({ expiresAt: '2030-01-01T00:00:10.000Z' })
    const call = async (): Promise<ReturnType<typeof app.inject>> => await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
    expect((await call()).statusCode).toBe(200)
    t += 10_000
    expect((await call()).json()).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
  })

  it('answers 503 AUTH_UNAVAILABLE when the key store does not answer, and /readyz says not ready', async () => {
    const { app, createKey, store } = await setup()
    const { secret } = await createKey()
    await store.close()
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ code: 'AUTH_UNAVAILABLE', status: 503 })
    expect(res.headers['retry-after']).toBe('1')
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.json()).toMatchObject({ code: 'SERVICE_NOT_READY', status: 503 })
  })
})
