// Builds the real gateway app for inject tests: a temporary SQLite key store and upstreams pointing
// at fake services on loopback. Everything is closed when the test ends.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { App } from '@modelgate/server-kit'
import { onTestFinished } from 'vitest'
import { buildGateway, type GatewayConfig, type GatewayOptions } from '../src/app.ts'
import { type NewApiKey, buildApiKey } from '../src/auth/api-keys.ts'
import type { KeyStore } from '../src/auth/key-store.ts'
import { openSqliteKeyStore } from '../src/auth/key-store-sqlite.ts'
import type { UpstreamsFile } from '../src/config.ts'
import { type RouteTarget, SATURATED } from '../src/upstreams/registry.ts'

export const testConfig: GatewayConfig = {
  LOG_LEVEL: 'silent',
  MAX_BODY_BYTES: 1024 * 1024,
  REQUEST_TIMEOUT_MS: 10_000,
  UPSTREAM_TIMEOUT_MS: 5000,
  UPSTREAM_MAX_IN_FLIGHT: 64,
  UPSTREAM_EJECT_AFTER: 5,
  UPSTREAM_EJECT_MS: 30_000,
  HEALTH_INTERVAL_MS: 60_000,
  HEALTH_TIMEOUT_MS: 1000,
  KEY_CACHE_MS: 500,
  USAGE_FLUSH_MS: 60_000,
  TRUST_PROXY: false,
  SHADOW_MAX_BODY_BYTES: 4 * 1024 * 1024,
  SHADOW_MAX_IN_FLIGHT: 16
}

export interface Harness {
  app: App
  store: KeyStore
  createKey: (input?: Partial<NewApiKey>) => Promise<{ id: string, secret: string }>
}

export function tempSqliteStore (): KeyStore {
  const dir = mkdtempSync(join(tmpdir(), 'gw-keys-'))
  const store = openSqliteKeyStore(join(dir, 'keys.db'))
  onTestFinished(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return store
}

/** One model per entry: `{ resnet: [fake.url] }`. */
export function upstreamsFor (models: Record<string, string[]>): UpstreamsFile {
  return { models: Object.fromEntries(Object.entries(models).map(([id, replicas]) => [id, { stable: { version: '2.0.0', replicas } }])) }
}

export async function buildHarness (upstreams: UpstreamsFile, overrides: Omit<Partial<GatewayOptions>, 'config'> & { config?: Partial<GatewayConfig> } = {}): Promise<Harness> {
  const store = overrides.keyStore ?? tempSqliteStore()
  const app = buildGateway({ ...overrides, config: { ...testConfig, ...overrides.config }, keyStore: store, upstreams: overrides.upstreams ?? upstreams })
  onTestFinished(async () => { await app.close() })
  await app.ready()
  const now = overrides.now ?? Date.now
  return {
    app,
    store,
    async createKey (input = {}) {
      const { record, secret } = buildApiKey({ name: 'test', ...input }, new Date(now()))
      await store.insert(record)
      return { id: record.id, secret }
    }
  }
}

/** A pick's target, for tests that expect one (a saturated pick fails the test). */
export function routed (target: RouteTarget | typeof SATURATED | undefined): RouteTarget | undefined {
  if (target === SATURATED) throw new Error('every replica is at its in-flight limit')
  return target
}
