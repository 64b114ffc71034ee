import { describe, expect, it } from 'vitest'
import { parseSigningKey } from '../src/auth/signing-key.ts'
import { makeKey } from './jwt-fixtures.ts'
import { randomSecret, sessionGateway } from './session-harness.ts'

const CHALLENGE = 'Bearer realm="modelgate", error="invalid_token"'

describe('POST /auth/session', () => {
  it('mints a short-lived token that calls predict as an anonymous session', async () => {
    const gw = await sessionGateway({ ttlSeconds: 600 })
    const before = Date.now()
    const res = await gw.app.inject({ method: 'POST', url: '/auth/session' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const { token, expiresAt } = res.json<{ token: string, expiresAt: string }>()
    expect(token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(token.startsWith('mg_')).toBe(false)
    const lifetime = Date.parse(expiresAt) - before
    expect(lifetime).toBeGreaterThan(590_000)
    expect(lifetime).toBeLessThanOrEqual(601_000)

    const predict = await gw.predict(token)
    expect(predict.statusCode).toBe(200)
    expect(gw.fake.received).toHaveLength(1)
    expect(gw.fake.received[0]?.headers.authorization).toBeUndefined()
    const line = gw.lines.find((l) => l.msg === 'request completed' && l.route === '/model/:id/predict')
    expect(line?.principal).toEqual({ type: 'session', id: expect.stringMatching(/^ses_[0-9a-f]{24}$/) })
  })

  it('gives every session its own id', async () => {
    const gw = await sessionGateway()
    const tokens = [await gw.mint(), await gw.mint()].map((s) => s.token)
    for (const token of tokens) expect((await gw.predict(token)).statusCode).toBe(200)
    const ids = gw.lines.filter((l) => l.route === '/model/:id/predict').map((l) => (l.principal as { id: string }).id)
    expect(new Set(ids).size).toBe(2)
  })

  it('ignores a body: an empty JSON body or a form still gets a session', async () => {
    const gw = await sessionGateway()
    const json = await gw.app.inject({ method: 'POST', url: '/auth/session', headers: { 'content-type': 'application/json' }, payload: '' })
    const form = await gw.app.inject({ method: 'POST', url: '/auth/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' })
    expect([json.statusCode, form.statusCode]).toEqual([200, 200])
  })

  it('limits minting per client address with 429 RATE_LIMITED, Retry-After and the rate-limit headers', async () => {
    const gw = await sessionGateway({ sessionMintsPerMin: 3 })
    for (let i = 0; i < 3; i++) await gw.mint('10.0.0.1')
    const res = await gw.app.inject({ method: 'POST', url: '/auth/session', remoteAddress: '10.0.0.1' })
    expect(res.statusCode).toBe(429)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429, scope: 'session-mint', limit: 3 })
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect(res.headers['x-ratelimit-limit']).toBe('3')
    expect(res.headers['x-ratelimit-remaining']).toBe('0')
    const line = gw.lines.find((l) => l.route === '/auth/session' && l.statusCode === 429)
    expect(line).toMatchObject({ rateLimited: true, errCode: 'RATE_LIMITED' })
    // Another address is not affected.
    await expect(gw.mint('10.0.0.2')).resolves.toHaveProperty('token')
  })

  it('limits a session\'s calls with the stricter session default, not a key\'s', async () => {
    const gw = await sessionGateway({ rateLimits: { sessionPerMin: 2, defaultPerMin: 100 } })
    const { token } = await gw.mint()
    expect((await gw.predict(token)).headers['x-ratelimit-limit']).toBe('2')
    expect((await gw.predict(token)).statusCode).toBe(200)
    const refused = await gw.predict(token)
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', scope: 'principal' })
    expect(gw.fake.received).toHaveLength(2)
    const other = await gw.mint()
    expect((await gw.predict(other.token)).statusCode).toBe(200)
  })
})

describe('session tokens', () => {
  it('expire: 401 AUTH_EXPIRED with WWW-Authenticate once the lifetime has passed', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z')
    const gw = await sessionGateway({ ttlSeconds: 60, now: () => t })
    const { token } = await gw.mint()
    expect((await gw.predict(token)).statusCode).toBe(200)
    t += 66_000
    const res = await gw.predict(token)
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'AUTH_EXPIRED', status: 401 })
    expect(res.headers['www-authenticate']).toBe(CHALLENGE)
  })

  it('are refused before they are valid (AUTH_INVALID)', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z')
    const gw = await sessionGateway({ now: () => t })
    const { token } = await gw.mint()
    t -= 60_000
    const res = await gw.predict(token)
    expect(res.json()).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
    expect(res.headers['www-authenticate']).toBe(CHALLENGE)
  })

  it('from another gateway\'s key are refused; replicas sharing SESSION_SIGNING_KEY accept each other\'s', async () => {
    const secret = randomSecret()
    const a = await sessionGateway({ key: await parseSigningKey(secret) })
    const b = await sessionGateway({ key: await parseSigningKey(secret) })
    const stranger = await sessionGateway()
    const { token } = await a.mint()
    expect((await b.predict(token)).statusCode).toBe(200)
    const res = await stranger.predict(token)
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'AUTH_INVALID' })
  })

  it.each(['EdDSA', 'ES256', 'RS256'] as const)('can be signed with a %s JWK given as SESSION_SIGNING_KEY', async (alg) => {
    const jwk = (await makeKey(alg, `k-${alg}`)).privateJwk
    const key = await parseSigningKey(JSON.stringify(jwk))
    expect(key).toMatchObject({ alg, kid: `k-${alg}` })
    const gw = await sessionGateway({ key })
    const { token } = await gw.mint()
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ alg, kid: `k-${alg}` })
    expect((await gw.predict(token)).statusCode).toBe(200)
  })
})
