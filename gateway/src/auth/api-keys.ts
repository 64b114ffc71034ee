// API keys: `mg_` + 32 random bytes in base64url (43 characters), shown once and stored only as a
// SHA-256 hash. A fast hash is enough here: the secret has 256 bits of entropy, so there is nothing
// to guess, unlike a password; a slow hash would only add latency to every request.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'

export const KEY_PREFIX = 'mg_'
const KEY_PATTERN = /^mg_[A-Za-z0-9_-]{43,128}$/
/** Characters of the key kept in clear for `keys list`, enough to tell keys apart, useless to an attacker. */
const DISPLAY_CHARS = 9

/** What the key store keeps of a key: never the secret itself. */
export interface ApiKey {
  id: string
  name: string
  /** The key's first characters, shown by `keys list` to recognise it. */
  prefix: string
  /** Model ids the key may call; null means every model. */
  models: string[] | null
  /** Requests per minute for this key; null means the gateway's default. */
  rateLimitPerMin: number | null
  admin: boolean
  /** ISO 8601 timestamps. */
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
}

export interface StoredApiKey extends ApiKey {
  /** SHA-256 of the whole key, hex. */
  hash: string
}

export interface NewApiKey {
  name: string
  models?: string[] | null
  rateLimitPerMin?: number | null
  expiresAt?: string | null
  admin?: boolean
}

export function generateSecret (): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url')
}

export function generateKeyId (): string {
  return `key_${randomBytes(8).toString('hex')}`
}

/** True for strings shaped like one of our keys (cheap check before any lookup). */
export function isApiKeyFormat (value: string): boolean {
  return KEY_PATTERN.test(value)
}

// crypto.hash (Node 20.12+): the one-shot form, without a Hash object per request; the same digest.
export function hashApiKey (secret: string): string {
  return hash('sha256', secret, 'hex')
}

/** Compares two hex hashes in constant time. */
export function hashesMatch (a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y)
}

/** Makes a new key's record and its secret; the caller stores the record and shows the secret once. */
export function buildApiKey (input: NewApiKey, now: Date): { record: StoredApiKey, secret: string } {
  const secret = generateSecret()
  const record: StoredApiKey = {
    id: generateKeyId(),
    name: input.name,
    prefix: secret.slice(0, DISPLAY_CHARS),
    models: input.models ?? null,
    rateLimitPerMin: input.rateLimitPerMin ?? null,
    admin: input.admin ?? false,
    createdAt: now.toISOString(),
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
    hash: hashApiKey(secret)
  }
  return { record, secret }
}

/** Why a stored key cannot be used now, or undefined when it can. */
export function keyRefusal (key: ApiKey, nowMs: number): 'revoked' | 'expired' | undefined {
  if (key.revokedAt !== null) return 'revoked'
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= nowMs) return 'expired'
  return undefined
}

/** Strips the hash before a record leaves the store layer (CLI output, logs). */
export function publicKey (key: StoredApiKey): ApiKey {
  const { hash: _hash, ...rest } = key
  return rest
}
