// `pnpm keys create|list|revoke|usage|check`: manages API keys in the same store the gateway uses.
// The command logic takes its environment and output streams as arguments, so tests run it in-process.
import { parseArgs } from 'node:util'
import { loadConfig } from '@modelgate/server-kit'
import Type from 'typebox'
import { buildApiKey, hashApiKey, isApiKeyFormat, keyRefusal, publicKey } from '../auth/api-keys.ts'
import { type KeyStore, openKeyStore } from '../auth/key-store.ts'
import { ConfigSchema, MODEL_ID_PATTERN } from '../config.ts'
import { dataPaths } from '../data-paths.ts'
import { formatKeys, formatUsage } from './keys-format.ts'

export interface CliIo {
  env: Record<string, string | undefined>
  stdout: (line: string) => void
  stderr: (line: string) => void
  /** The whole of standard input (for `check`). */
  readStdin: () => Promise<string>
  now?: () => number
}

const StoreConfigSchema = Type.Pick(ConfigSchema, ['DATA_DIR', 'KEYS_DB', 'DATABASE_URL'])

export const USAGE = `Usage: pnpm keys <command>
  create --name NAME [--models a,b] [--rate N/min] [--expires ISO-8601] [--admin]
                       new key; its secret is printed once, alone on the last line
  list [--json]        every key, never a secret
  revoke ID            the key stops working within a second on every gateway
  usage [ID] [--json]  requests per key, model and day (UTC)
  check                reads a key on stdin; exit 0 and its id if it is usable now
Store: DATABASE_URL (PostgreSQL) or KEYS_DB (SQLite, default <DATA_DIR>/keys.db, DATA_DIR default .data).`

class UsageError extends Error {}

function parseRate (value: string | undefined): number | null {
  if (value === undefined) return null
  const match = /^(\d+)\s*(?:\/\s*min)?$/.exec(value.trim())
  const n = match?.[1] === undefined ? NaN : Number(match[1])
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--rate must look like 600/min (got "${value}")`)
  return n
}

function parseModels (value: string | undefined): string[] | null {
  if (value === undefined || value === '*' || value === 'all') return null
  const ids = [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))]
  const bad = ids.filter((id) => !MODEL_ID_PATTERN.test(id))
  if (ids.length === 0 || bad.length > 0) throw new UsageError(`--models takes model ids separated by commas (bad: ${bad.join(', ') || value})`)
  return ids
}

function parseExpiry (value: string | undefined, now: number): string | null {
  if (value === undefined) return null
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) throw new UsageError(`--expires takes an ISO 8601 date or time, e.g. 2030-01-31 or 2030-01-31T12:00:00Z (got "${value}")`)
  if (ms <= now) throw new UsageError(`--expires ${value} is in the past`)
  return new Date(ms).toISOString()
}

async function create (store: KeyStore, args: string[], io: CliIo, now: number): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      models: { type: 'string' },
      rate: { type: 'string' },
      expires: { type: 'string' },
      admin: { type: 'boolean', default: false }
    }
  })
  if (values.name === undefined || values.name.trim() === '') throw new UsageError('create needs --name NAME')
  const { record, secret } = buildApiKey({
    name: values.name.trim(),
    models: parseModels(values.models),
    rateLimitPerMin: parseRate(values.rate),
    expiresAt: parseExpiry(values.expires, now),
    admin: values.admin
  }, new Date(now))
  await store.insert(record)
  io.stdout(formatKeys([publicKey(record)], now))
  io.stdout('The key is shown once and stored only as a hash; keep it now:')
  io.stdout(secret)
  return 0
}

async function list (store: KeyStore, args: string[], io: CliIo, now: number): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } })
  const keys = await store.list()
  if (values.json) io.stdout(JSON.stringify(keys.map((k) => ({ ...k, status: keyRefusal(k, now) ?? 'active' })), null, 2))
  else io.stdout(keys.length === 0 ? 'No keys yet: pnpm keys create --name NAME' : formatKeys(keys, now))
  return 0
}

async function revoke (store: KeyStore, args: string[], io: CliIo, now: number): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true })
  const id = positionals[0]
  if (id === undefined || positionals.length > 1) throw new UsageError('revoke takes one key id (see pnpm keys list)')
  if (!await store.revoke(id, new Date(now))) {
    io.stderr(`No key ${id}.`)
    return 1
  }
  io.stdout(`Revoked ${id}.`)
  return 0
}

async function usage (store: KeyStore, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } })
  const rows = await store.usage(positionals[0])
  io.stdout(values.json ? JSON.stringify(rows, null, 2) : formatUsage(rows))
  return 0
}

async function check (store: KeyStore, io: CliIo, now: number): Promise<number> {
  const secret = (await io.readStdin()).trim()
  const found = isApiKeyFormat(secret) ? await store.findByHash(hashApiKey(secret)) : undefined
  const refusal = found === undefined ? 'unknown' : keyRefusal(found, now)
  if (found === undefined || refusal !== undefined) {
    io.stderr(`The key is ${refusal ?? 'unknown'}.`)
    return 1
  }
  io.stdout(found.id)
  return 0
}

/** Runs one `keys` command; resolves to the process exit code. */
export async function runKeysCommand (argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv
  const now = (io.now ?? Date.now)()
  if (command === undefined || command === 'help' || command === '--help') {
    io.stdout(USAGE)
    return command === undefined ? 2 : 0
  }
  if (!['create', 'list', 'revoke', 'usage', 'check'].includes(command)) {
    io.stderr(`Unknown command "${command}".\n${USAGE}`)
    return 2
  }
  let store: KeyStore | undefined
  try {
    const config = loadConfig(StoreConfigSchema, io.env)
    store = await openKeyStore({ databaseUrl: config.DATABASE_URL, sqlitePath: dataPaths(config, io.env).keysDb })
    if (command === 'create') return await create(store, args, io, now)
    if (command === 'list') return await list(store, args, io, now)
    if (command === 'revoke') return await revoke(store, args, io, now)
    if (command === 'usage') return await usage(store, args, io)
    return await check(store, io, now)
  } catch (err) {
    const usageError = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
    io.stderr(usageError ? `${(err as Error).message}\n${USAGE}` : (err as Error).message)
    return usageError ? 2 : 1
  } finally {
    await store?.close()
  }
}
