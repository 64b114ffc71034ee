// Anonymous browser sessions: short-lived JWTs the gateway mints itself (POST /auth/session) and
// accepts as `Authorization: Bearer <token>`. They carry no rights beyond calling models.
import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { AuthInvalid } from '../errors.ts'
import { looksLikeJwt, peekHeader, peekIssuer, verifyJwt } from './jwt.ts'
import type { Authenticator, Principal } from './principal.ts'
import type { SessionSigningKey } from './signing-key.ts'

/** `iss` and `aud` of session tokens; an identity provider's tokens never carry these. */
export const SESSION_ISSUER = 'urn:modelgate:gateway'
export const SESSION_AUDIENCE = 'urn:modelgate:session'

export interface SessionTokensOptions {
  key: SessionSigningKey
  ttlSeconds: number
  clockToleranceSeconds?: number
  now?: () => number
}

export interface MintedSession {
  token: string
  expiresAt: string
  sessionId: string
}

export interface SessionTokens {
  mint: () => Promise<MintedSession>
  /** Accepts tokens whose (unverified) issuer is the gateway; verification decides. */
  authenticator: Authenticator
}

export function createSessionTokens (opts: SessionTokensOptions): SessionTokens {
  const now = opts.now ?? Date.now
  const { key } = opts
  const tolerance = opts.clockToleranceSeconds ?? 5

  return {
    async mint () {
      const issuedAt = Math.floor(now() / 1000)
      const expiresAt = issuedAt + opts.ttlSeconds
      const sessionId = `ses_${randomBytes(12).toString('hex')}`
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuer(SESSION_ISSUER)
        .setAudience(SESSION_AUDIENCE)
        .setSubject(sessionId)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(key.signKey)
      return { token, expiresAt: new Date(expiresAt * 1000).toISOString(), sessionId }
    },

    authenticator: {
      accepts: (credential) => looksLikeJwt(credential.token) && peekIssuer(credential.token) === SESSION_ISSUER,
      async authenticate (credential): Promise<Principal> {
        // Only our own key id: a kid is never looked up anywhere, so it cannot point elsewhere.
        if (peekHeader(credential.token)?.kid !== key.kid) throw new AuthInvalid('The session token was not signed with this gateway\'s key; mint a new one (POST /auth/session).')
        const payload = await verifyJwt(credential.token, key.verifyKey, {
          algorithms: [key.alg],
          issuer: SESSION_ISSUER,
          audience: SESSION_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat'],
          maxTokenAge: opts.ttlSeconds + tolerance,
          clockTolerance: tolerance,
          now,
          expiredHint: ' Mint a new session with POST /auth/session.'
        })
        if (typeof payload.sub !== 'string' || !payload.sub.startsWith('ses_')) throw new AuthInvalid('The session token has no session id.')
        return { type: 'session', id: payload.sub, models: null, admin: false, rateLimitPerMin: null }
      }
    }
  }
}
