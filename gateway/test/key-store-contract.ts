// One contract for every key store implementation; SQLite runs it in the unit tests, PostgreSQL in
// tests/integration/gateway-postgres.test.ts against a real server.
import { expect, it } from 'vitest'
import { buildApiKey } from '../src/auth/api-keys.ts'
import type { KeyStore } from '../src/auth/key-store.ts'

export function keyStoreContract (open: () => Promise<KeyStore>): void {
  it('stores a key and finds it by hash, with every field', async () => {
    const store = await open()
    const { record } = buildApiKey({ name: 'ci', models: ['resnet', 'mobilenet'], rateLimitPerMin: 120, expiresAt: '2031-02-03T04:05:06.000Z', admin: true }, new Date('2030-01-01T00:00:00Z'))
    await store.insert(record)
    expect(await store.findByHash(record.hash)).toEqual(record)
    expect(await store.findByHash('0'.repeat(64))).toBeUndefined()
    const { hash: _hash, ...shown } = record
    expect(await store.get(record.id)).toEqual(shown)
    expect(await store.list()).toContainEqual(shown)
  })

  it('keeps null models, limits and expiry as null', async () => {
    const store = await open()
    const { record } = buildApiKey({ name: 'all' }, new Date('2030-01-01T00:00:00Z'))
    await store.insert(record)
    expect(await store.findByHash(record.hash)).toMatchObject({ models: null, rateLimitPerMin: null, expiresAt: null, revokedAt: null, admin: false })
  })

  it('revokes once and says when there is no such key', async () => {
    const store = await open()
    const { record } = buildApiKey({ name: 'r' }, new Date('2030-01-01T00:00:00Z'))
    await store.insert(record)
    expect(await store.revoke(record.id, new Date('2030-01-02T00:00:00Z'))).toBe(true)
    expect(await store.revoke(record.id, new Date('2030-01-03T00:00:00Z'))).toBe(true)
    expect((await store.get(record.id))?.revokedAt).toBe('2030-01-02T00:00:00.000Z')
    expect(await store.revoke('key_missing', new Date())).toBe(false)
  })

  it('adds usage per key, model and day', async () => {
    const store = await open()
    await store.addUsage([{ keyId: 'key_a', modelId: 'resnet', day: '2030-01-01', requests: 2 }, { keyId: 'key_a', modelId: 'mobilenet', day: '2030-01-01', requests: 1 }])
    await store.addUsage([{ keyId: 'key_a', modelId: 'resnet', day: '2030-01-01', requests: 3 }, { keyId: 'key_b', modelId: 'resnet', day: '2030-01-02', requests: 1 }])
    expect(await store.usage('key_a')).toEqual([
      { keyId: 'key_a', modelId: 'mobilenet', day: '2030-01-01', requests: 1 },
      { keyId: 'key_a', modelId: 'resnet', day: '2030-01-01', requests: 5 }
    ])
    expect(await store.usage()).toHaveLength(3)
    await store.addUsage([])
  })

  it('answers a ping', async () => {
    const store = await open()
    await expect(store.ping()).resolves.toBeUndefined()
  })
}
