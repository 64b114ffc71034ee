import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hashApiKey } from '../src/auth/api-keys.ts'
import { openSqliteKeyStore } from '../src/auth/key-store-sqlite.ts'
import { runKeysCommand } from '../src/cli/keys-command.ts'

const NOW = Date.parse('2030-01-01T00:00:00Z')

function cli (env: Record<string, string>): (argv: string[], stdin?: string) => Promise<{ code: number, out: string[], err: string[] }> {
  return async (argv, stdin = '') => {
    const out: string[] = []
    const err: string[] = []
    const code = await runKeysCommand(argv, { env, stdout: (l) => out.push(l), stderr: (l) => err.push(l), readStdin: async () => stdin, now: () => NOW })
    return { code, out: out.join('\n').split('\n'), err: err.join('\n').split('\n') }
  }
}

function tempEnv (): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cli-'))
  return { INIT_CWD: dir, DATA_DIR: 'state' }
}

describe('pnpm keys', () => {
  it('creates a key, printing it alone on the last line, in <DATA_DIR>/keys.db', async () => {
    const env = tempEnv()
    const run = cli(env)
    const res = await run(['create', '--name', 'partner', '--models', 'resnet,mobilenet', '--rate', '600/min', '--expires', '2030-06-30', '--admin'])
    expect(res.code).toBe(0)
    const secret = res.out.at(-1) ?? ''
    expect(secret).toMatch(/^mg_[A-Za-z0-9_-]{43}$/)
    const store = openSqliteKeyStore(join(env.INIT_CWD ?? '', 'state', 'keys.db'))
    const key = await store.findByHash(hashApiKey(secret))
    await store.close()
    expect(key).toMatchObject({ name: 'partner', models: ['resnet', 'mobilenet'], rateLimitPerMin: 600, expiresAt: '2030-06-30T00:00:00.000Z', admin: true })
  })

  it('lists keys without secrets, as a table or JSON, and revokes one', async () => {
    const run = cli(tempEnv())
    const created = await run(['create', '--name', 'one'])
    const secret = created.out.at(-1) ?? ''
    const listed = await run(['list', '--json'])
    const keys = JSON.parse(listed.out.join('\n')) as Array<{ id: string, name: string, status: string }>
    expect(keys).toEqual([expect.objectContaining({ name: 'one', status: 'active', models: null })])
    expect(listed.out.join('\n')).not.toContain(secret.slice(12))
    const id = keys[0]?.id ?? ''
    expect((await run(['revoke', id])).code).toBe(0)
    const table = (await run(['list'])).out.join('\n')
    expect(table).toMatch(new RegExp(`${id}\\s+one\\s+mg_.{6}…\\s+all\\s+default\\s+never\\s+no\\s+revoked`))
    expect(table).not.toContain(secret.slice(12))
    const missing = await run(['revoke', 'key_nope'])
    expect(missing.code).toBe(1)
    expect(missing.err[0]).toBe('No key key_nope.')
  })

  it('checks a key from stdin: 0 for usable, 1 for revoked or unknown', async () => {
    const run = cli(tempEnv())
    const secret = (await run(['create', '--name', 'demo'])).out.at(-1) ?? ''
    const ok = await run(['check'], `${secret}\n`)
    expect(ok.code).toBe(0)
    expect(ok.out[0]).toMatch(/^key_[0-9a-f]{16}$/)
    await run(['revoke', ok.out[0] ?? ''])
    expect(await run(['check'], secret)).toMatchObject({ code: 1, err: ['The key is revoked.'] })
    expect((await run(['check'], 'mg_nothing')).code).toBe(1)
  })

  it('shows usage per key, model and day', async () => {
    const env = tempEnv()
    const store = openSqliteKeyStore(join(env.INIT_CWD ?? '', 'state', 'keys.db'))
    await store.addUsage([{ keyId: 'key_a', modelId: 'resnet', day: '2030-01-01', requests: 7 }])
    await store.close()
    const run = cli(env)
    expect((await run(['usage'])).out).toEqual(['DAY         KEY    MODEL   REQUESTS', '2030-01-01  key_a  resnet  7'])
    expect(JSON.parse((await run(['usage', 'key_a', '--json'])).out.join('\n'))).toEqual([{ keyId: 'key_a', modelId: 'resnet', day: '2030-01-01', requests: 7 }])
  })

  it.each([
    [['create'], 'create needs --name NAME'],
    [['create', '--name', 'x', '--rate', 'fast'], '--rate must look like 600/min'],
    [['create', '--name', 'x', '--expires', 'tomorrow'], '--expires takes an ISO 8601 date'],
    [['create', '--name', 'x', '--expires', '2020-01-01'], 'is in the past'],
    [['create', '--name', 'x', '--models', 'Res Net'], '--models takes model ids'],
    [['create', '--name', 'x', '--colour', 'red'], "Unknown option '--colour'"],
    [['rotate'], 'Unknown command "rotate"']
  ])('refuses bad usage with exit 2: %j', async (argv, message) => {
    const res = await cli(tempEnv())(argv)
    expect(res.code).toBe(2)
    expect(res.err.join('\n')).toContain(message)
    expect(res.err.join('\n')).toContain('Usage: pnpm keys')
  })
})
