// Tokens of an external identity provider, verified against its JWKS served on loopback.
import { createPublicKey } from 'node:crypto'
import { type CryptoKey, importJWK } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { JwksConfigError, createJwksAuthenticator } from '../src/auth/jwks-verifier.ts'
import { type Claims, type JwksServer, type TestKey, hmacToken, makeKey, nowSeconds, rawToken, signToken, startJwksServer } from './jwt-fixtures.ts'
import { type SessionGateway, sessionGateway } from './session-harness.ts'

const ISSUER = 'https://idp.modelgate.test'
const AUDIENCE = 'modelgate-api'
const CHALLENGE = 'Bearer realm="modelgate", error="invalid_token"'
const ok: Claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-42' }

// RSA keys take a while to generate: one set for the file.
const keys = Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('EdDSA', 'ed-1')])

interface Idp { gw: SessionGateway, jwks: JwksServer, rsa: TestKey, ec: TestKey, ed: TestKey }

async function idpGateway (opts: { algorithms?: string[], cooldownMs?: number } = {}): Promise<Idp> {
  const [rsa, ec, ed] = await keys
  const jwks = await startJwksServer([rsa.publicJwk, ec.publicJwk, ed.publicJwk])
  onTestFinished(jwks.close)
  const authenticator = createJwksAuthenticator({
    jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, algorithms: opts.algorithms ?? ['RS256', 'PS256', 'ES256', 'EdDSA'], cooldownMs: opts.cooldownMs ?? 30_000
  })
  return { gw: await sessionGateway({ authenticators: [authenticator] }), jwks, rsa, ec, ed }
}

describe('identity-provider tokens (AUTH_JWKS_URL)', () => {
  it('are accepted with each key type of the set; the principal is the token\'s sub', async () => {
    const { gw, rsa, ec, ed } = await idpGateway()
    for (const key of [rsa, ec, ed]) {
      const res = await gw.predict(await signToken(key, ok))
      expect(res.statusCode).toBe(200)
    }
    const line = gw.lines.find((l) => l.route === '/model/:id/predict')
    expect(line?.principal).toEqual({ type: 'jwt', id: 'user-42' })
  })

  it('are limited to the models their "models" claim lists (403 FORBIDDEN_MODEL), or may call all without it', async () => {
    const { gw, rsa } = await idpGateway()
    const limited = await signToken(rsa, { ...ok, models: ['mobilenet'] })
    const refused = await gw.predict(limited, 'resnet')
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'FORBIDDEN_MODEL', status: 403 })
    expect((await gw.predict(limited, 'mobilenet')).statusCode).toBe(200)
    const bad = await gw.predict(await signToken(rsa, { ...ok, models: 'resnet' }))
    expect(bad.json()).toMatchObject({ code: 'AUTH_INVALID', detail: expect.stringMatching(/"models" claim/) })
  })

  it.each<[string, RegExp, (idp: Idp) => Promise<string> | string, string?]>([
    ['alg "none"', /algorithm is not accepted/, () => rawToken({ alg: 'none', kid: 'rsa-1' }, { ...ok, exp: nowSeconds() + 60 }, 'c2ln')],
    ['HS256 keyed with the RSA public key (PEM)', /algorithm is not accepted/, ({ rsa }) =>
      hmacToken(Buffer.from(createPublicKey({ key: rsa.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' })), { kid: 'rsa-1' }, { ...ok, exp: nowSeconds() + 60 })],
    ['HS256 keyed with the RSA modulus', /algorithm is not accepted/, ({ rsa }) => hmacToken(Buffer.from(rsa.publicJwk.n ?? '', 'base64url'), { kid: 'rsa-1' }, { ...ok, exp: nowSeconds() + 60 })],
    ['an expired token', /expired/, async ({ rsa }) => await signToken(rsa, { ...ok, expIn: -60 }), 'AUTH_EXPIRED'],
    ['a token not valid yet', /not valid yet/, async ({ rsa }) => await signToken(rsa, { ...ok, nbfIn: 600 })],
    ['another audience', /another audience/, async ({ rsa }) => await signToken(rsa, { ...ok, aud: 'someone-else' })],
    ['another issuer', /not a key or token/, async ({ rsa }) => await signToken(rsa, { ...ok, iss: 'https://evil.test' })],
    ['a tampered payload', /signature does not verify/, async ({ rsa }) => {
      const [h, , s] = (await signToken(rsa, ok)).split('.')
      return `${h}.${Buffer.from(JSON.stringify({ ...ok, sub: 'admin', exp: nowSeconds() + 60 })).toString('base64url')}.${s}`
    }],
    ['a kid the set does not have', /No key of the issuer matches/, async ({ rsa }) => await signToken({ ...rsa, kid: 'unknown' }, ok)],
    ['a known kid, signed by another key', /signature does not verify/, async ({ ec }) => await signToken({ ...(await makeKey('ES256', 'x')), kid: ec.kid }, ok)],
    ['the RSA key used with PS256 (its JWK says RS256)', /No key of the issuer matches/, async ({ rsa }) => {
      const { alg: _, ...jwk } = rsa.privateJwk
      return await signToken({ ...rsa, alg: 'PS256', privateKey: await importJWK(jwk, 'PS256') as CryptoKey }, ok)
    }],
    ['a kid carrying a path', /No key of the issuer matches|algorithm is not accepted/, () => hmacToken(new Uint8Array(0), { kid: '../../../../dev/null' }, { ...ok, exp: nowSeconds() + 60 })],
    ['no sub', /"sub" claim/, async ({ rsa }) => await signToken(rsa, { iss: ISSUER, aud: AUDIENCE })]
  ])('refuses %s with 401 and the Bearer challenge', async (_name, detail, forge, code = 'AUTH_INVALID') => {
    const idp = await idpGateway()
    const res = await idp.gw.predict(await forge(idp))
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code, status: 401, detail: expect.stringMatching(detail) })
    expect(res.headers['www-authenticate']).toBe(CHALLENGE)
    expect(idp.gw.fake.received).toHaveLength(0)
  })

  it('refuses an algorithm left out of AUTH_ALGORITHMS even when the key fits it', async () => {
    const { gw, rsa, ed } = await idpGateway({ algorithms: ['RS256'] })
    expect((await gw.predict(await signToken(rsa, ok))).statusCode).toBe(200)
    expect((await gw.predict(await signToken(ed, ok))).json()).toMatchObject({ code: 'AUTH_INVALID', detail: expect.stringMatching(/algorithm/) })
  })

  it('does not refetch the key set for every unknown kid (cooldown)', async () => {
    const { gw, jwks, rsa } = await idpGateway()
    expect((await gw.predict(await signToken(rsa, ok))).statusCode).toBe(200)
    for (let i = 0; i < 5; i++) await gw.predict(await signToken(await makeKey('ES256', `made-up-${i}`), ok))
    expect(jwks.fetches).toBe(1)
  })

  it('answers 503 AUTH_UNAVAILABLE with Retry-After while the provider\'s keys cannot be fetched', async () => {
    const { gw, jwks, rsa } = await idpGateway()
    jwks.up = false
    const res = await gw.predict(await signToken(rsa, ok))
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ code: 'AUTH_UNAVAILABLE', status: 503 })
    expect(res.headers['retry-after']).toBe('5')
    jwks.up = true
    expect((await gw.predict(await signToken(rsa, ok))).statusCode).toBe(200)
  })

  it.each([
    ['a JWKS over plain http off this machine', { jwksUrl: 'http://idp.example/jwks.json' }, /https/],
    ['a symmetric algorithm', { algorithms: ['RS256', 'HS256'] }, /asymmetric/],
    ['alg none', { algorithms: ['none'] }, /asymmetric/],
    ['no algorithm', { algorithms: [] }, /asymmetric/]
  ])('is not set up with %s', (_name, change, message) => {
    const base = { jwksUrl: 'https://idp.example/jwks.json', issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] }
    expect(() => createJwksAuthenticator({ ...base, ...change })).toThrow(JwksConfigError)
    expect(() => createJwksAuthenticator({ ...base, ...change })).toThrow(message)
  })
})
