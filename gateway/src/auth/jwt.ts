// What every JWT the gateway accepts goes through, whoever issued it: a size and shape check before
// any parsing, and jose's verification with pinned algorithms, its errors turned into our problems.
import { type CryptoKey, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, errors, jwtVerify } from 'jose'
import { AuthExpired, AuthInvalid, AuthUnavailable } from '../errors.ts'

/** Far above any session or identity-provider token; larger ones are refused unparsed. */
export const MAX_JWT_BYTES = 8192
// Three base64url parts; the header of every JSON JWT starts with `{"` → `eyJ`.
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** True when the token has a JWT's shape and size (nothing is decoded). */
export function looksLikeJwt (token: string): boolean {
  return token.length <= MAX_JWT_BYTES && JWT_SHAPE.test(token)
}

function decodePart (token: string, index: number): Record<string, unknown> | undefined {
  if (!looksLikeJwt(token)) return undefined
  try {
    const value = JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/**
 * The unverified `iss` claim, only to choose which verifier to ask; undefined when the payload does
 * not decode. Never trusted for anything else.
 */
export function peekIssuer (token: string): string | undefined {
  const iss = decodePart(token, 1)?.iss
  return typeof iss === 'string' ? iss : undefined
}

/** The unverified protected header (to compare its kid with an expected one); undefined if it does not decode. */
export function peekHeader (token: string): Record<string, unknown> | undefined {
  return decodePart(token, 0)
}

function claimRefusal (err: errors.JWTClaimValidationFailed): string {
  switch (err.claim) {
    case 'nbf': return 'The token is not valid yet (nbf).'
    case 'iat': return 'The token was issued in the future or too long ago (iat).'
    case 'iss': return 'The token comes from another issuer.'
    case 'aud': return 'The token is meant for another audience.'
    default: return `The token's "${err.claim}" claim is missing or not valid.`
  }
}

/** A jose error as the problem the client gets; anything else is rethrown (the auth plugin logs it). */
export function jwtProblem (err: unknown, expiredHint = ''): Error {
  if (err instanceof errors.JWTExpired) return new AuthExpired(`The token has expired.${expiredHint}`)
  if (err instanceof errors.JWTClaimValidationFailed) return new AuthInvalid(claimRefusal(err))
  if (err instanceof errors.JOSEAlgNotAllowed) return new AuthInvalid('The token\'s algorithm is not accepted here.')
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthInvalid('The token\'s signature does not verify.')
  if (err instanceof errors.JWKSNoMatchingKey) return new AuthInvalid('No key of the issuer matches the token (kid, alg).')
  if (err instanceof errors.JWKSTimeout) {
    return new AuthUnavailable('The identity provider\'s keys did not arrive in time.', { headers: { 'retry-after': '5' } })
  }
  if (err instanceof errors.JWKSInvalid) {
    return new AuthUnavailable('The identity provider\'s key set is not valid.', { headers: { 'retry-after': '5' } })
  }
  if (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC') {
    // jose's own failures to fetch or read the key set (non-200, not JSON).
    return new AuthUnavailable('The identity provider\'s keys cannot be fetched.', { headers: { 'retry-after': '5' } })
  }
  if (err instanceof errors.JOSEError) return new AuthInvalid('The token is malformed or uses something this gateway does not accept.')
  if (err instanceof TypeError && /fetch/i.test(err.message)) {
    return new AuthUnavailable('The identity provider\'s keys cannot be fetched.', { headers: { 'retry-after': '5' }, cause: err })
  }
  return err instanceof Error ? err : new Error(String(err))
}

export interface VerifyOptions extends Pick<JWTVerifyOptions, 'issuer' | 'audience' | 'clockTolerance' | 'requiredClaims' | 'maxTokenAge'> {
  /** The only algorithms accepted; never empty, never `none`. */
  algorithms: string[]
  now: () => number
  /** Added to the AUTH_EXPIRED detail (how to get a new token). */
  expiredHint?: string
}

/** Verifies signature and claims; throws AUTH_INVALID, AUTH_EXPIRED or AUTH_UNAVAILABLE. */
export async function verifyJwt (token: string, key: Uint8Array | CryptoKey | JWTVerifyGetKey, opts: VerifyOptions): Promise<JWTPayload> {
  if (token.length > MAX_JWT_BYTES) throw new AuthInvalid('The token is too large.')
  if (!JWT_SHAPE.test(token)) throw new AuthInvalid('The token is not a compact JWT.')
  if (opts.algorithms.length === 0 || opts.algorithms.includes('none')) throw new Error('algorithms must be pinned')
  const { expiredHint, now, ...rest } = opts
  try {
    const { payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], { ...rest, currentDate: new Date(now()) })
    return payload
  } catch (err) {
    throw jwtProblem(err, expiredHint)
  }
}
