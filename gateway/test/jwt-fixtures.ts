// Signing keys, hand-made tokens and a JWKS endpoint on loopback (node:http), standing in for an
// identity provider in unit and integration tests.
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose'

export interface TestKey {
  kid: string
  alg: string
  privateKey: CryptoKey
  publicJwk: JWK
  privateJwk: JWK
}

export async function makeKey (alg: 'RS256' | 'ES256' | 'EdDSA', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...await exportJWK(publicKey), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicJwk, privateJwk: { ...await exportJWK(privateKey), kid, alg } }
}

export interface Claims {
  iss?: string
  aud?: string
  sub?: string
  /** Seconds from now; negative for the past. */
  expIn?: number
  nbfIn?: number
  [claim: string]: unknown
}

/** A token signed by `key`, with claims relative to now. */
export async function signToken (key: TestKey, claims: Claims, header: Record<string, unknown> = {}): Promise<string> {
  const { iss, aud, sub, expIn = 300, nbfIn, ...rest } = claims
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT(rest).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).setIssuedAt(now).setExpirationTime(now + expIn)
  if (iss !== undefined) jwt.setIssuer(iss)
  if (aud !== undefined) jwt.setAudience(aud)
  if (sub !== undefined) jwt.setSubject(sub)
  if (nbfIn !== undefined) jwt.setNotBefore(now + nbfIn)
  return await jwt.sign(key.privateKey)
}

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A token put together by hand: any header (alg none, odd kids) and any signature bytes. */
export function rawToken (header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  return `${part(header)}.${part(payload)}.${signature}`
}

/** HMAC-SHA256 over header.payload with `secret`: the HS/RS confusion attack when the secret is a public key. */
export function hmacToken (secret: Uint8Array, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${part({ alg: 'HS256', ...header })}.${part(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

export function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}

export interface JwksServer {
  url: string
  /** The keys served; replace to rotate. */
  keys: JWK[]
  /** How many times the set was fetched. */
  fetches: number
  /** While false, answers 503 (the provider is down). */
  up: boolean
  close: () => Promise<void>
}

/** GET /jwks.json on 127.0.0.1 with whatever `keys` holds now. */
export async function startJwksServer (keys: JWK[] = []): Promise<JwksServer> {
  const jwks: JwksServer = { url: '', keys, fetches: 0, up: true, close: async () => {} }
  const server = createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end()
      return
    }
    jwks.fetches++
    if (!jwks.up) {
      res.writeHead(503).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: jwks.keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  jwks.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  jwks.close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return jwks
}
