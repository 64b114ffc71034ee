// Every way a session token can be forged or misused is answered 401 with the Bearer challenge.
import { createPublicKey } from 'node:crypto'
import { type CryptoKey, SignJWT, exportSPKI } from 'jose'
import { describe, expect, it } from 'vitest'
import { SESSION_AUDIENCE, SESSION_ISSUER } from '../src/auth/session-tokens.ts'
import { type SessionSigningKey, parseSigningKey } from '../src/auth/signing-key.ts'
import { hmacToken, makeKey, nowSeconds, rawToken, startJwksServer } from './jwt-fixtures.ts'
import { randomSecret, sessionGateway } from './session-harness.ts'

const CHALLENGE = 'Bearer realm="modelgate", error="invalid_token"'

function claims (extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds()
  return { iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, sub: `ses_${'a'.repeat(24)}`, iat: now, nbf: now, exp: now + 300, ...extra }
}

async function sign (key: SessionSigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return await new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.signKey)
}

function tamper (token: string, index: number): string {
  const parts = token.split('.')
  const segment = parts[index] ?? ''
  const at = Math.floor(segment.length / 2)
  parts[index] = segment.slice(0, at) + (segment[at] === 'A' ? 'B' : 'A') + segment.slice(at + 1)
  return parts.join('.')
}

type Forge = (key: SessionSigningKey) => Promise<string> | string

const HS_CASES: Array<[string, RegExp, Forge, string?]> = [
  ['alg "none" without a signature', /not a key or token/, (key) => rawToken({ alg: 'none', kid: key.kid }, claims())],
  ['alg "none" with a made-up signature', /algorithm is not accepted/, (key) => rawToken({ alg: 'none', kid: key.kid }, claims(), 'c2lnbmF0dXJl')],
  ['an expired token', /expired\. Mint a new session/, async (key) => await sign(key, claims({ iat: nowSeconds() - 600, nbf: nowSeconds() - 600, exp: nowSeconds() - 60 })), 'AUTH_EXPIRED'],
  ['a token not valid yet (nbf)', /not valid yet/, async (key) => await sign(key, claims({ nbf: nowSeconds() + 600 }))],
  ['a token issued in the future (iat)', /\(iat\)/, async (key) => await sign(key, claims({ iat: nowSeconds() + 600 }))],
  ['another issuer', /not a key or token/, async (key) => await sign(key, claims({ iss: 'https://idp.example' }))],
  ['another audience', /another audience/, async (key) => await sign(key, claims({ aud: 'https://api.example' }))],
  ['a tampered signature', /signature does not verify/, async (key) => tamper(await sign(key, claims()), 2)],
  ['a tampered payload', /signature does not verify/, async (key) => {
    const [h, , s] = (await sign(key, claims())).split('.')
    return `${h}.${Buffer.from(JSON.stringify(claims({ sub: `ses_${'b'.repeat(24)}` }))).toString('base64url')}.${s}`
  }],
  ['a token over 8 KiB', /too long/, async (key) => await sign(key, claims({ pad: 'x'.repeat(9000) }))],
  ['a kid pointing at a file, HMAC with an empty key', /not signed with this gateway's key/, () => hmacToken(new Uint8Array(0), { kid: '../../../../../../dev/null' }, claims())],
  ['a kid carrying SQL', /not signed with this gateway's key/, () => hmacToken(Buffer.from("' OR '1'='1"), { kid: "' OR '1'='1" }, claims())],
  ['our kid, signed with another secret', /signature does not verify/, async (key) => await sign(await parseSigningKey(randomSecret()), claims(), { kid: key.kid })],
  ['no sub', /"sub" claim/, async (key) => { const { sub: _, ...rest } = claims(); return await sign(key, rest) }],
  ['no exp', /"exp" claim/, async (key) => { const { exp: _, ...rest } = claims(); return await sign(key, rest) }],
  ['an unknown critical header', /malformed/, async (key) => rawToken({ alg: key.alg, kid: key.kid, crit: ['x-must-know'], 'x-must-know': 1 }, claims(), 'c2ln')],
  ['a payload that is not JSON', /not a key or token/, (key) => `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: key.kid })).toString('base64url')}.bm90IGpzb24.c2ln`]
]

describe('session tokens the gateway refuses (401 problem+json with WWW-Authenticate)', () => {
  it.each(HS_CASES)('%s', async (_name, detail, forge, code = 'AUTH_INVALID') => {
    const gw = await sessionGateway()
    const res = await gw.predict(await forge(gw.key))
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({ code, status: 401, detail: expect.stringMatching(detail) })
    expect(res.headers['www-authenticate']).toBe(CHALLENGE)
    expect(gw.fake.received).toHaveLength(0)
  })

  it('a well-made token passes the same checks (the cases above fail for their reason)', async () => {
    const gw = await sessionGateway()
    expect((await gw.predict(await sign(gw.key, claims()))).statusCode).toBe(200)
  })

  it('HS/RS confusion: an HS256 token keyed with the RS256 session key\'s public half', async () => {
    const rsa = await makeKey('RS256', 'rsa-1')
    const key = await parseSigningKey(JSON.stringify(rsa.privateJwk))
    const gw = await sessionGateway({ key })
    const spki = await exportSPKI(key.verifyKey as CryptoKey)
    const der = createPublicKey(spki).export({ type: 'spki', format: 'der' })
    for (const secret of [Buffer.from(spki), Buffer.from(`${spki}\n`), der, Buffer.from(JSON.stringify(rsa.publicJwk))]) {
      const res = await gw.predict(hmacToken(secret, { kid: key.kid }, claims()))
      expect(res.json()).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
      expect(res.headers['www-authenticate']).toBe(CHALLENGE)
    }
    expect((await gw.predict(await sign(key, claims()))).statusCode).toBe(200)
  })

  it('ignores keys a token brings along (jwk, jku): nothing is fetched, the token is refused', async () => {
    const gw = await sessionGateway()
    const attacker = await makeKey('RS256', gw.key.kid)
    const jwks = await startJwksServer([attacker.publicJwk])
    const header = { jwk: attacker.publicJwk, jku: jwks.url, x5u: jwks.url }
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: gw.key.kid, ...header }).sign(attacker.privateKey)
    const res = await gw.predict(token)
    await jwks.close()
    expect(res.json()).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
    expect(jwks.fetches).toBe(0)
  })
})
