// A real gateway process accepting an identity provider's tokens, verified against a JWKS served on
// loopback by a tiny node:http server, through a key rotation: a new kid appears, the old one goes.
import { beforeAll, describe, expect, it } from 'vitest'
import { type JwksServer, type TestKey, makeKey, signToken, startJwksServer } from '../../gateway/test/jwt-fixtures.ts'
import { registerCleanup } from '../helpers/cleanup.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { postPhoto } from '../helpers/reference.ts'

const ISSUER = 'https://idp.modelgate.test'
const AUDIENCE = 'modelgate-api'

let jwks: JwksServer
let service: ProcessHandle
let gateway: GatewayHandle
let k1: TestKey
let k2: TestKey

beforeAll(async () => {
  [k1, k2] = await Promise.all([makeKey('RS256', 'k1'), makeKey('ES256', 'k2')])
  jwks = await startJwksServer([k1.publicJwk])
  registerCleanup(jwks.close)
  service = await startService('mobilenet')
  gateway = await startGateway({
    upstreams: { models: { mobilenet: { stable: { version: '1.0.0', replicas: [service.url] } } } },
    env: {
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      // A short cache, so the removed key stops working within the test; refetch at once on a new kid.
      AUTH_JWKS_CACHE_MS: '1000',
      AUTH_JWKS_COOLDOWN_MS: '0'
    }
  })
})

async function classify (token: string): Promise<Awaited<ReturnType<typeof postPhoto>>> {
  return await postPhoto(`${gateway.url}/model/mobilenet/predict`, 'eagle.jpg', { authorization: `Bearer ${token}` })
}

describe('identity-provider tokens through a real gateway', () => {
  it('are accepted when the JWKS has their key; the principal is their sub, limited by their models claim', async () => {
    const res = await classify(await signToken(k1, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }))
    expect(res.status).toBe(200)
    expect(res.body.predictions[0]?.label).toMatch(/eagle/)
    const [line] = await gateway.waitForLines((l) => l.route === '/model/:id/predict' && l.statusCode === 200, 1)
    expect(line?.principal).toEqual({ type: 'jwt', id: 'alice' })

    // A small body: refused after routing, a large one would be left half-read (see the report on predict).
    const limited = await fetch(`${gateway.url}/model/mobilenet/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(k1, { iss: ISSUER, aud: AUDIENCE, sub: 'bob', models: ['resnet'] })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:1/never-fetched.jpg' })
    })
    expect(limited.status).toBe(403)
    expect(await limited.json()).toMatchObject({ code: 'FORBIDDEN_MODEL' })
    const wrongAudience = await classify(await signToken(k1, { iss: ISSUER, aud: 'another-api', sub: 'alice' }))
    expect(wrongAudience.status).toBe(401)
    expect(wrongAudience.headers.get('www-authenticate')).toBe('Bearer realm="modelgate", error="invalid_token"')
  })

  it('follow a key rotation: a new kid works as soon as it is published, the old one stops once removed', async () => {
    const before = jwks.fetches
    const early = await classify(await signToken(k2, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }))
    expect(early.status).toBe(401)
    expect(early.body).toMatchObject({ code: 'AUTH_INVALID' })

    jwks.keys = [k1.publicJwk, k2.publicJwk]
    expect((await classify(await signToken(k2, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }))).status).toBe(200)
    expect((await classify(await signToken(k1, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }))).status).toBe(200)
    expect(jwks.fetches).toBeGreaterThan(before)

    jwks.keys = [k2.publicJwk]
    const deadline = Date.now() + 15_000
    let old = await classify(await signToken(k1, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }))
    while (old.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      old = await classify(await signToken(k1, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }))
    }
    expect(old.status).toBe(401)
    expect(old.body).toMatchObject({ code: 'AUTH_INVALID', detail: expect.stringMatching(/No key of the issuer matches/) })
    expect((await classify(await signToken(k2, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }))).status).toBe(200)
  })

  it('leave the gateway\'s own sessions working beside them', async () => {
    const minted = await fetch(`${gateway.url}/auth/session`, { method: 'POST' })
    expect(minted.status).toBe(200)
    const { token } = await minted.json() as { token: string }
    expect((await classify(token)).status).toBe(200)
  })
})
