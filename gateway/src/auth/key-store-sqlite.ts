import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { ApiKey, StoredApiKey } from './api-keys.ts'
import type { KeyStore, UsageRow } from './key-store.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  models TEXT,
  rate_limit_per_min INTEGER,
  admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS api_key_usage (
  key_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  day TEXT NOT NULL,
  requests INTEGER NOT NULL,
  PRIMARY KEY (key_id, model_id, day)
);`

interface KeyRow {
  id: string
  name: string
  prefix: string
  hash: string
  models: string | null
  rate_limit_per_min: number | null
  admin: number
  created_at: string
  expires_at: string | null
  revoked_at: string | null
}

function fromRow (row: KeyRow): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    models: row.models === null ? null : JSON.parse(row.models) as string[],
    rateLimitPerMin: row.rate_limit_per_min,
    admin: row.admin === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at
  }
}

function withoutHash (row: KeyRow): ApiKey {
  const { hash: _hash, ...key } = fromRow(row)
  return key
}

/** The key store in one SQLite file (WAL, so the CLI and the gateway can use it at the same time). */
export function openSqliteKeyStore (path: string): KeyStore {
  const isNew = !existsSync(path)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const db = new Database(path)
  // Key hashes are not secrets, but the file is nobody else's business either.
  if (isNew) chmodSync(path, 0o600)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.exec(SCHEMA)

  const insert = db.prepare(`INSERT INTO api_keys (id, name, prefix, hash, models, rate_limit_per_min, admin, created_at, expires_at, revoked_at)
    VALUES (@id, @name, @prefix, @hash, @models, @rateLimitPerMin, @admin, @createdAt, @expiresAt, @revokedAt)`)
  const byHash = db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE hash = ?')
  const byId = db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?')
  const all = db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?')
  const addUsage = db.prepare(`INSERT INTO api_key_usage (key_id, model_id, day, requests) VALUES (@keyId, @modelId, @day, @requests)
    ON CONFLICT (key_id, model_id, day) DO UPDATE SET requests = requests + excluded.requests`)
  const addUsageRows = db.transaction((rows: UsageRow[]) => { for (const row of rows) addUsage.run(row) })
  const usageCols = 'key_id AS keyId, model_id AS modelId, day, requests'
  const usageAll = db.prepare<[], UsageRow>(`SELECT ${usageCols} FROM api_key_usage ORDER BY day, key_id, model_id`)
  const usageOf = db.prepare<[string], UsageRow>(`SELECT ${usageCols} FROM api_key_usage WHERE key_id = ? ORDER BY day, model_id`)
  const ping = db.prepare('SELECT 1')

  return {
    kind: 'sqlite',
    async insert (key) {
      insert.run({ ...key, models: key.models === null ? null : JSON.stringify(key.models), admin: key.admin ? 1 : 0 })
    },
    async findByHash (hash) {
      const row = byHash.get(hash)
      return row === undefined ? undefined : fromRow(row)
    },
    async get (id) {
      const row = byId.get(id)
      return row === undefined ? undefined : withoutHash(row)
    },
    async list () {
      return all.all().map(withoutHash)
    },
    async revoke (id, at) {
      return revoke.run(at.toISOString(), id).changes > 0
    },
    async addUsage (rows) {
      if (rows.length > 0) addUsageRows(rows)
    },
    async usage (keyId) {
      return keyId === undefined ? usageAll.all() : usageOf.all(keyId)
    },
    async ping () {
      ping.get()
    },
    async close () {
      if (db.open) db.close()
    }
  }
}
