// Builds the JWTs of the corpus's token cases by hand (node:crypto, no JWT library), so a case can
// ask for anything a forger would send: alg none, an HMAC keyed with a public key, odd kid/jku/jwk headers.
import { type KeyObject, createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { SESSION_AUDIENCE, SESSION_ISSUER } from '../../gateway/src/auth/session-tokens.ts'
import type { TokenRecipe } from './corpus.ts'

export const IDP_ISSUER = 'https://idp.hostile.test'
export const IDP_AUDIENCE = 'modelgate-hostile'
const KIDS = { idp: 'idp-1', session: 'session-1' }

interface RsaKey { kid: string, privateKey: KeyObject, publicKey: KeyObject }

function rsaKey (kid: string): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { kid, privateKey, publicKey }
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

export interface TokenKit {
  /** The identity provider's public keys, for its JWKS endpoint. */
  idpJwks: Array<Record<string, unknown>>
  /** SESSION_SIGNING_KEY for the gateway: an RS256 private JWK, so its public half is worth attacking. */
  sessionSigningKey: string
  /** A token the gateway must accept, for the control checks. */
  valid: (issuer: 'idp' | 'session') => string
  forge: (recipe: TokenRecipe) => string
}

export function createTokenKit (): TokenKit {
  const idp = rsaKey(KIDS.idp)
  const session = rsaKey(KIDS.session)
  // The attacker reuses the real kids with a key of its own.
  const attacker = rsaKey(KIDS.idp)
  const publicJwk = (key: RsaKey): Record<string, unknown> => ({ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: 'RS256', use: 'sig' })
  const pem = (key: RsaKey): string => key.publicKey.export({ type: 'spki', format: 'pem' }).toString()

  function defaultClaims (issuer: TokenRecipe['issuer'], now: number): Record<string, unknown> {
    return issuer === 'idp'
      ? { iss: IDP_ISSUER, aud: IDP_AUDIENCE, sub: 'user-hostile', iat: now, exp: now + 300 }
      : { iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, sub: `ses_${'a'.repeat(24)}`, iat: now, nbf: now, exp: now + 300 }
  }

  function forge (recipe: TokenRecipe): string {
    const now = Math.floor(Date.now() / 1000)
    const claims = defaultClaims(recipe.issuer, now)
    for (const [name, value] of Object.entries(recipe.claims ?? {})) {
      const relative = typeof value === 'string' ? /^now([+-]\d+)$/.exec(value) : null
      claims[name] = relative === null ? value : now + Number(relative[1])
    }
    for (const name of recipe.omit ?? []) delete claims[name]
    if (recipe.padBytes !== undefined) claims.pad = 'x'.repeat(recipe.padBytes)
    const alg = recipe.signWith === 'none' ? 'none' : recipe.signWith.startsWith('hmac') ? 'HS256' : 'RS256'
    const header: Record<string, unknown> = { alg, typ: 'JWT', kid: KIDS[recipe.issuer] }
    for (const [name, value] of Object.entries(recipe.header ?? {})) {
      header[name] = value === 'attackerJwk' ? publicJwk(attacker) : value
    }
    const input = `${b64(header)}.${b64(claims)}`
    return `${input}.${signature(recipe, input)}`
  }

  function signature (recipe: TokenRecipe, input: string): string {
    switch (recipe.signWith) {
      case 'none': return recipe.signature ?? ''
      case 'hmac-idp-public-pem': return createHmac('sha256', pem(idp)).update(input).digest('base64url')
      case 'hmac-session-public-pem': return createHmac('sha256', pem(session)).update(input).digest('base64url')
      case 'hmac-empty': return createHmac('sha256', Buffer.alloc(0)).update(input).digest('base64url')
      default: {
        const key = { idp, session, attacker }[recipe.signWith]
        return sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')
      }
    }
  }

  return {
    idpJwks: [publicJwk(idp)],
    sessionSigningKey: JSON.stringify({ ...session.privateKey.export({ format: 'jwk' }), kid: session.kid, alg: 'RS256' }),
    valid: (issuer) => forge({ issuer, signWith: issuer }),
    forge
  }
}
