import { AuthInvalid } from '../errors.ts'
import { type StoredApiKey, hashApiKey, hashesMatch, isApiKeyFormat, keyRefusal } from './api-keys.ts'
import type { KeyStore } from './key-store.ts'
import type { Authenticator, Principal } from './principal.ts'

export interface ApiKeyAuthenticatorOptions {
  store: KeyStore
  /** How long a lookup (found or not) is reused. Revocations take effect within this time. */
  cacheMs: number
  now?: () => number
}

interface CacheEntry {
  key: StoredApiKey | undefined
  at: number
}

// Bounds the memory a flood of made-up keys can take; the cache is only a shortcut.
const MAX_CACHED = 10_000

/** Authenticates `mg_` keys against the key store, with a short cache in front of it. */
export function createApiKeyAuthenticator (opts: ApiKeyAuthenticatorOptions): Authenticator {
  const now = opts.now ?? Date.now
  const cache = new Map<string, CacheEntry>()

  async function lookup (hash: string): Promise<StoredApiKey | undefined> {
    const hit = cache.get(hash)
    const t = now()
    if (hit !== undefined && t - hit.at < opts.cacheMs) return hit.key
    const key = await opts.store.findByHash(hash)
    if (opts.cacheMs > 0) {
      if (cache.size >= MAX_CACHED) cache.clear()
      cache.set(hash, { key, at: t })
    }
    return key
  }

  return {
    accepts: (credential) => credential.token.startsWith('mg_'),
    async authenticate (credential): Promise<Principal> {
      if (!isApiKeyFormat(credential.token)) throw new AuthInvalid('The API key is malformed.')
      const hash = hashApiKey(credential.token)
      const key = await lookup(hash)
      // The lookup is by hash; the constant-time comparison keeps the final check free of early exits.
      if (key === undefined || !hashesMatch(key.hash, hash)) throw new AuthInvalid('The API key is not known.')
      const refusal = keyRefusal(key, now())
      if (refusal === 'revoked') throw new AuthInvalid('The API key has been revoked.')
      if (refusal === 'expired') throw new AuthInvalid(`The API key expired at ${key.expiresAt ?? ''}.`)
      return { type: 'key', id: key.id, models: key.models, admin: key.admin, rateLimitPerMin: key.rateLimitPerMin }
    }
  }
}
