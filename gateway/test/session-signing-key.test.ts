import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createSessionTokens } from '../src/auth/session-tokens.ts'
import { SigningKeyError, loadSigningKey, parseSigningKey } from '../src/auth/signing-key.ts'
import { makeKey } from './jwt-fixtures.ts'

function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-session-key-'))
  onTestFinished(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

describe('the session signing key', () => {
  it('is generated on first start into the data folder (mode 0600) and reused later', async () => {
    const file = join(tempDir(), 'data', 'session-signing-key.json')
    const first = await loadSigningKey({ file })
    expect(first).toMatchObject({ created: true, source: file })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kty: 'oct', alg: 'HS256' })
    const second = await loadSigningKey({ file })
    expect(second.created).toBe(false)
    expect(second.key.kid).toBe(first.key.kid)
    // A token from the first start verifies after the second.
    const minted = await createSessionTokens({ key: first.key, ttlSeconds: 60 }).mint()
    const principal = await createSessionTokens({ key: second.key, ttlSeconds: 60 }).authenticator.authenticate({ source: 'bearer', token: minted.token })
    expect(principal).toMatchObject({ type: 'session', id: minted.sessionId })
  })

  it('is the same for gateways starting together on one folder', async () => {
    const file = join(tempDir(), 'session-signing-key.json')
    const loaded = await Promise.all([1, 2, 3, 4].map(async () => await loadSigningKey({ file })))
    expect(new Set(loaded.map((l) => l.key.kid)).size).toBe(1)
    expect(loaded.filter((l) => l.created)).toHaveLength(1)
  })

  it('tightens a key file others could read, and says so', async () => {
    const file = join(tempDir(), 'session-signing-key.json')
    await loadSigningKey({ file })
    chmodSync(file, 0o644)
    const again = await loadSigningKey({ file })
    expect(again.warning).toMatch(/mode is now 0600/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('names the file when it is not a JWK', async () => {
    const file = join(tempDir(), 'session-signing-key.json')
    writeFileSync(file, 'garbage', { mode: 0o600 })
    await expect(loadSigningKey({ file })).rejects.toThrow(/session-signing-key\.json is not a JWK/)
  })

  it('prefers SESSION_SIGNING_KEY and writes no file then', async () => {
    const dir = tempDir()
    const loaded = await loadSigningKey({ configured: 'k'.repeat(40), file: join(dir, 'session-signing-key.json') })
    expect(loaded).toMatchObject({ source: 'SESSION_SIGNING_KEY', created: false, key: { alg: 'HS256' } })
    expect(() => statSync(join(dir, 'session-signing-key.json'))).toThrow()
  })

  it.each([
    ['a secret under 32 bytes', 'short-secret', /at least 32/],
    ['JSON that is not a JWK', '{"kty":', /not JSON/],
    ['an HMAC JWK with a short key', JSON.stringify({ kty: 'oct', k: Buffer.from('short').toString('base64url') }), /at least 32 bytes/],
    ['an EC key with an RSA algorithm', null, /cannot sign with RS256/],
    ['a public key only', 'public', /must be a private key/],
    ['an unknown key type', JSON.stringify({ kty: 'XYZ' }), /cannot sign/]
  ])('refuses %s, naming SESSION_SIGNING_KEY', async (_name, value, message) => {
    let text = value
    if (value === null) text = JSON.stringify({ ...(await makeKey('ES256', 'e')).privateJwk, alg: 'RS256' })
    if (value === 'public') text = JSON.stringify((await makeKey('EdDSA', 'p')).publicJwk)
    const err = await parseSigningKey(text ?? '').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SigningKeyError)
    expect((err as Error).message).toMatch(/^SESSION_SIGNING_KEY/)
    expect((err as Error).message).toMatch(message)
  })
})
