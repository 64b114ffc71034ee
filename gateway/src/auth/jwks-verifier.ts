// Tokens from an external identity provider, verified against its JWKS (fetched and cached by jose,
// refetched when a new kid appears, at most once per cooldown). Asymmetric algorithms only.
import { createRemoteJWKSet } from 'jose'
import { AuthInvalid } from '../errors.ts'
import { looksLikeJwt, peekIssuer, verifyJwt } from './jwt.ts'
import type { Authenticator, Principal } from './principal.ts'

export interface JwksAuthenticatorOptions {
  jwksUrl: string
  issuer: string
  audience: string
  /** Accepted `alg` values, e.g. RS256, ES256, EdDSA; each key of the set must also fit its own type. */
  algorithms: string[]
  cacheMs?: number
  cooldownMs?: number
  timeoutMs?: number
  clockToleranceSeconds?: number
  now?: () => number
}

export class JwksConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'JwksConfigError'
  }
}

const SYMMETRIC = /^HS|^none$/i
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The `models` claim: absent → every model; else an array of model ids. */
function modelsClaim (value: unknown): string[] | null {
  if (value === undefined) return null
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'string')) throw new AuthInvalid('The token\'s "models" claim must be an array of model ids.')
  return value
}

export function createJwksAuthenticator (opts: JwksAuthenticatorOptions): Authenticator {
  let url: URL
  try {
    url = new URL(opts.jwksUrl)
  } catch {
    throw new JwksConfigError(`AUTH_JWKS_URL is not a URL: ${opts.jwksUrl}`)
  }
  // Keys fetched in the clear could be swapped on the way; plain http only to this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || url.hostname.startsWith('127.')))) {
    throw new JwksConfigError('AUTH_JWKS_URL must be https:// (plain http only on loopback).')
  }
  const algorithms = opts.algorithms.filter((a) => a !== '')
  if (algorithms.length === 0 || algorithms.some((a) => SYMMETRIC.test(a))) {
    throw new JwksConfigError('AUTH_ALGORITHMS must list asymmetric algorithms only (RS*, PS*, ES*, EdDSA).')
  }
  const jwks = createRemoteJWKSet(url, {
    cacheMaxAge: opts.cacheMs ?? 600_000,
    cooldownDuration: opts.cooldownMs ?? 30_000,
    timeoutDuration: opts.timeoutMs ?? 5000
  })
  const now = opts.now ?? Date.now

  return {
    accepts: (credential) => looksLikeJwt(credential.token) && peekIssuer(credential.token) === opts.issuer,
    async authenticate (credential): Promise<Principal> {
      const payload = await verifyJwt(credential.token, jwks, {
        algorithms,
        issuer: opts.issuer,
        audience: opts.audience,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: opts.clockToleranceSeconds ?? 5,
        now
      })
      if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 256) {
        throw new AuthInvalid('The token\'s "sub" claim is missing or too long.')
      }
      return { type: 'jwt', id: payload.sub, models: modelsClaim(payload.models), admin: false, rateLimitPerMin: null }
    }
  }
}
