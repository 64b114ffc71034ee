import pg from 'pg'
import type { ApiKey, StoredApiKey } from './api-keys.ts'
import type { KeyStore, UsageRow } from './key-store.ts'

// Several gateways may start at once: the advisory lock makes the CREATE TABLEs run one at a time
// (CREATE TABLE IF NOT EXISTS alone can still fail on a concurrent duplicate).
const MIGRATION_LOCK = 72_016_001
const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  models TEXT[],
  rate_limit_per_min INTEGER,
  admin BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS api_key_usage (
  key_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  day DATE NOT NULL,
  requests BIGINT NOT NULL,
  PRIMARY KEY (key_id, model_id, day)
);`

interface KeyRow {
  id: string
  name: string
  prefix: string
  hash: string
  models: string[] | null
  rate_limit_per_min: number | null
  admin: boolean
  created_at: Date
  expires_at: Date | null
  revoked_at: Date | null
}

function fromRow (row: KeyRow): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    models: row.models,
    rateLimitPerMin: row.rate_limit_per_min,
    admin: row.admin,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null
  }
}

function withoutHash (row: KeyRow): ApiKey {
  const { hash: _hash, ...key } = fromRow(row)
  return key
}

// Days come back as text so no time zone shifts them.
const USAGE_COLS = 'key_id AS "keyId", model_id AS "modelId", to_char(day, \'YYYY-MM-DD\') AS day, requests::int AS requests'

/** The key store in PostgreSQL, shared by every gateway replica. */
export async function openPostgresKeyStore (connectionString: string): Promise<KeyStore> {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5000 })
  pool.on('error', () => {
    // An idle client lost its server; the next query reconnects, and readiness reports the outage.
  })
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query(SCHEMA)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }

  return {
    kind: 'postgres',
    async insert (key) {
      await pool.query(`INSERT INTO api_keys (id, name, prefix, hash, models, rate_limit_per_min, admin, created_at, expires_at, revoked_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [key.id, key.name, key.prefix, key.hash, key.models, key.rateLimitPerMin, key.admin, key.createdAt, key.expiresAt, key.revokedAt])
    },
    async findByHash (hash) {
      const { rows } = await pool.query<KeyRow>('SELECT * FROM api_keys WHERE hash = $1', [hash])
      return rows[0] === undefined ? undefined : fromRow(rows[0])
    },
    async get (id) {
      const { rows } = await pool.query<KeyRow>('SELECT * FROM api_keys WHERE id = $1', [id])
      return rows[0] === undefined ? undefined : withoutHash(rows[0])
    },
    async list () {
      const { rows } = await pool.query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')
      return rows.map(withoutHash)
    },
    async revoke (id, at) {
      const res = await pool.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [at, id])
      return (res.rowCount ?? 0) > 0
    },
    async addUsage (rows) {
      if (rows.length === 0) return
      await pool.query(`INSERT INTO api_key_usage (key_id, model_id, day, requests)
        SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[])
        ON CONFLICT (key_id, model_id, day) DO UPDATE SET requests = api_key_usage.requests + excluded.requests`,
      [rows.map((r) => r.keyId), rows.map((r) => r.modelId), rows.map((r) => r.day), rows.map((r) => r.requests)])
    },
    async usage (keyId) {
      const { rows } = keyId === undefined
        ? await pool.query<UsageRow>(`SELECT ${USAGE_COLS} FROM api_key_usage ORDER BY day, key_id, model_id`)
        : await pool.query<UsageRow>(`SELECT ${USAGE_COLS} FROM api_key_usage WHERE key_id = $1 ORDER BY day, model_id`, [keyId])
      return rows
    },
    async ping () {
      await pool.query('SELECT 1')
    },
    async close () {
      await pool.end()
    }
  }
}
