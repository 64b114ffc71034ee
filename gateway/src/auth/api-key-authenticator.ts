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

/**
 * Authenticates `mg_` keys against the key store, with a short cache in front of it. The cache is by
 * the key itself: a cached key is accepted without hashing it or waiting, the common case under load.
 */
export function createApiKeyAuthenticator (opts: ApiKeyAuthenticatorOptions): Authenticator {
  const now = opts.now ?? Date.now
  const cache = new Map<string, CacheEntry>()

  async function lookup (secret: string, t: number): Promise<StoredApiKey | undefined> {
    const hash = hashApiKey(secret)
    const found = await opts.store.findByHash(hash)
    // The lookup is by hash; the constant-time comparison keeps the final check free of early exits.
    const key = found !== undefined && hashesMatch(found.hash, hash) ? found : undefined
    if (opts.cacheMs > 0) {
      if (cache.size >= MAX_CACHED) cache.clear()
      cache.set(secret, { key, at: t })
    }
    return key
  }

  function principalOf (key: StoredApiKey | undefined, t: number): Principal {
    if (key === undefined) throw new AuthInvalid('The API key is not known.')
    const refusal = keyRefusal(key, t)
    if (refusal === 'revoked') throw new AuthInvalid('The API key has been revoked.')
    if (refusal === 'expired') throw new AuthInvalid(`The API key expired at ${key.expiresAt ?? ''}.`)
    return { type: 'key', id: key.id, models: key.models, admin: key.admin, rateLimitPerMin: key.rateLimitPerMin }
  }

  return {
    accepts: (credential) => credential.token.startsWith('mg_'),
    authenticate (credential): Principal | Promise<Principal> {
      const secret = credential.token
      if (!isApiKeyFormat(secret)) throw new AuthInvalid('The API key is malformed.')
      const t = now()
      const hit = cache.get(secret)
      if (hit !== undefined && t - hit.at < opts.cacheMs) return principalOf(hit.key, t)
      return lookup(secret, t).then((key) => principalOf(key, t))
    }
  }
}
