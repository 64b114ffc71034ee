import type { ApiKey, StoredApiKey } from './api-keys.ts'

/** Requests of one key to one model on one UTC day. */
export interface UsageRow {
  keyId: string
  modelId: string
  /** YYYY-MM-DD, UTC. */
  day: string
  requests: number
}

/**
 * Where keys, revocations and usage live. SQLite for one host, PostgreSQL for several gateway
 * replicas; both implement this, and the same contract test runs against both.
 */
export interface KeyStore {
  readonly kind: 'sqlite' | 'postgres'
  insert: (key: StoredApiKey) => Promise<void>
  findByHash: (hash: string) => Promise<StoredApiKey | undefined>
  get: (id: string) => Promise<ApiKey | undefined>
  list: () => Promise<ApiKey[]>
  /** Marks a key revoked; false when there is no such key. Revoking twice keeps the first time. */
  revoke: (id: string, at: Date) => Promise<boolean>
  /** Adds request counts (upserts per key, model and day). */
  addUsage: (rows: UsageRow[]) => Promise<void>
  usage: (keyId?: string) => Promise<UsageRow[]>
  /** Resolves when the store answers (the gateway's readiness). */
  ping: () => Promise<void>
  close: () => Promise<void>
}

export interface KeyStoreOptions {
  /** PostgreSQL connection string; when set the store is PostgreSQL. */
  databaseUrl?: string | undefined
  /** SQLite file, created with its folder on first use. */
  sqlitePath: string
}

/** Opens the configured store and creates its tables if needed. */
export async function openKeyStore (opts: KeyStoreOptions): Promise<KeyStore> {
  if (opts.databaseUrl !== undefined && opts.databaseUrl !== '') {
    const { openPostgresKeyStore } = await import('./key-store-postgres.ts')
    return await openPostgresKeyStore(opts.databaseUrl)
  }
  const { openSqliteKeyStore } = await import('./key-store-sqlite.ts')
  return openSqliteKeyStore(opts.sqlitePath)
}
