import { describe, expect, it } from 'vitest'
import { buildApiKey, generateSecret, hashApiKey, hashesMatch, isApiKeyFormat, keyRefusal, publicKey } from '../src/auth/api-keys.ts'

describe('API keys', () => {
  it('are mg_ plus 32 random bytes in base64url, different every time', () => {
    const keys = new Set(Array.from({ length: 50 }, generateSecret))
    expect(keys.size).toBe(50)
    for (const key of keys) {
      expect(key).toMatch(/^mg_[A-Za-z0-9_-]{43}$/)
      expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32)
      expect(isApiKeyFormat(key)).toBe(true)
    }
    expect(isApiKeyFormat('mg_short')).toBe(false)
    expect(isApiKeyFormat(`xx_${'a'.repeat(43)}`)).toBe(false)
  })

  it('are stored as a SHA-256 hash with a display prefix, never the secret', () => {
    const { record, secret } = buildApiKey({ name: 'ci', models: ['resnet'], rateLimitPerMin: 60, admin: true }, new Date('2030-01-01T00:00:00Z'))
    expect(record.hash).toBe(hashApiKey(secret))
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(secret.startsWith(record.prefix)).toBe(true)
    expect(record.prefix.length).toBeLessThan(12)
    expect(JSON.stringify(publicKey(record))).not.toContain(secret.slice(12))
    expect(publicKey(record)).not.toHaveProperty('hash')
    expect(record).toMatchObject({ name: 'ci', models: ['resnet'], rateLimitPerMin: 60, admin: true, createdAt: '2030-01-01T00:00:00.000Z', revokedAt: null })
  })

  it('compare hashes without early exit and refuse bad input', () => {
    const h = hashApiKey('mg_a')
    expect(hashesMatch(h, hashApiKey('mg_a'))).toBe(true)
    expect(hashesMatch(h, hashApiKey('mg_b'))).toBe(false)
    expect(hashesMatch(h, '')).toBe(false)
    expect(hashesMatch(h, h.slice(2))).toBe(false)
  })

  it('are refused when revoked or expired', () => {
    const { record } = buildApiKey({ name: 'x', expiresAt: '2030-01-01T00:00:00.000Z' }, new Date('2029-01-01'))
    expect(keyRefusal(record, Date.parse('2029-12-31T23:59:59Z'))).toBeUndefined()
    expect(keyRefusal(record, Date.parse('2030-01-01T00:00:00Z'))).toBe('expired')
    expect(keyRefusal({ ...record, revokedAt: '2029-06-01T00:00:00.000Z' }, Date.parse('2029-07-01'))).toBe('revoked')
  })
})
