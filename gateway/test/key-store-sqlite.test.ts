import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildApiKey } from '../src/auth/api-keys.ts'
import { openSqliteKeyStore } from '../src/auth/key-store-sqlite.ts'
import { tempSqliteStore } from './gateway-harness.ts'
import { keyStoreContract } from './key-store-contract.ts'

describe('the SQLite key store', () => {
  keyStoreContract(async () => tempSqliteStore())

  it('creates its file (and folder) readable by the user only, and two handles see each other\'s writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-sqlite-'))
    const path = join(dir, 'nested', 'keys.db')
    const a = openSqliteKeyStore(path)
    const b = openSqliteKeyStore(path)
    onTestFinished(async () => { await a.close(); await b.close() })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const { record } = buildApiKey({ name: 'shared' }, new Date())
    await a.insert(record)
    await b.revoke(record.id, new Date())
    expect((await a.findByHash(record.hash))?.revokedAt).not.toBeNull()
  })
})
