// The gateway's OpenAPI document as GET /openapi.json serves it (every route: sessions on), built
// from a throwaway app: for generating typed clients (packages/client) without a running gateway.
// `servers` is left out: it names the address a client used.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '@modelgate/server-kit'
import { buildGateway } from './app.ts'
import { openSqliteKeyStore } from './auth/key-store-sqlite.ts'
import { createSessionTokens } from './auth/session-tokens.ts'
import { parseSigningKey } from './auth/signing-key.ts'
import { ConfigSchema } from './config.ts'

export async function openApiDocument (): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-openapi-'))
  const keyStore = openSqliteKeyStore(join(dir, 'keys.db'))
  const sessions = createSessionTokens({ key: await parseSigningKey(randomBytes(32).toString('base64url')), ttlSeconds: 900 })
  const app = buildGateway({ config: loadConfig(ConfigSchema, { LOG_LEVEL: 'silent' }), keyStore, upstreams: { models: {} }, sessions })
  try {
    await app.ready()
    return app.swagger() as unknown as Record<string, unknown>
  } finally {
    await app.close()
    await keyStore.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
