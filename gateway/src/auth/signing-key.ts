// The key session tokens are signed with: SESSION_SIGNING_KEY (a secret or a private JWK, shared by
// every replica) or, on one host, a secret generated once and kept in the data folder.
import { randomBytes, webcrypto } from 'node:crypto'
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type CryptoKey, type JWK, calculateJwkThumbprint, importJWK } from 'jose'

export interface SessionSigningKey {
  /** The one algorithm its tokens are signed and verified with. */
  alg: string
  kid: string
  signKey: Uint8Array | CryptoKey
  /** The same secret (HS*) or the public half. */
  verifyKey: Uint8Array | CryptoKey
}

export class SigningKeyError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SigningKeyError'
  }
}

const MIN_SECRET_BYTES = 32
const EC_ALGS: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const

/** The algorithm a private JWK signs with: its `alg` if it fits the key type, else the type's default. */
function algorithmOf (jwk: JWK, source: string): string {
  const fits = (alg: string): boolean => {
    if (jwk.kty === 'oct') return /^HS(256|384|512)$/.test(alg)
    if (jwk.kty === 'RSA') return /^(RS|PS)(256|384|512)$/.test(alg)
    if (jwk.kty === 'EC') return EC_ALGS[jwk.crv ?? ''] === alg
    if (jwk.kty === 'OKP') return jwk.crv === 'Ed25519' && (alg === 'EdDSA' || alg === 'Ed25519')
    return false
  }
  const fallback = jwk.kty === 'oct' ? 'HS256' : jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' ? EC_ALGS[jwk.crv ?? ''] : jwk.kty === 'OKP' ? 'EdDSA' : undefined
  const alg = jwk.alg ?? fallback
  if (alg === undefined || !fits(alg)) throw new SigningKeyError(`${source}: a JWK of type ${jwk.kty ?? '?'} ${jwk.crv ?? ''} cannot sign with ${alg ?? 'any algorithm this gateway accepts'}.`)
  return alg
}

async function fromJwk (jwk: JWK, source: string): Promise<SessionSigningKey> {
  const alg = algorithmOf(jwk, source)
  if (jwk.kty === 'oct') {
    const secret = Buffer.from(jwk.k ?? '', 'base64url')
    if (secret.length < MIN_SECRET_BYTES) throw new SigningKeyError(`${source}: an HMAC key needs at least ${MIN_SECRET_BYTES} bytes.`)
    // Imported once: jose would import raw bytes again on every verification.
    const key = await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['sign', 'verify'])
    return { alg, kid: jwk.kid ?? await calculateJwkThumbprint({ kty: 'oct', k: jwk.k ?? '' }), signKey: key, verifyKey: key }
  }
  if (jwk.d === undefined) throw new SigningKeyError(`${source}: the JWK must be a private key (with "d"), to sign.`)
  const publicJwk: JWK = Object.fromEntries(PUBLIC_MEMBERS.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]]))
  try {
    const signKey = await importJWK({ ...jwk, ext: false }, alg) as CryptoKey
    const verifyKey = await importJWK(publicJwk, alg) as CryptoKey
    return { alg, kid: jwk.kid ?? await calculateJwkThumbprint(publicJwk), signKey, verifyKey }
  } catch (err) {
    throw new SigningKeyError(`${source}: the JWK cannot be imported (${(err as Error).message}).`)
  }
}

/** SESSION_SIGNING_KEY: a JWK as JSON, or else a secret string (HS256) of at least 32 bytes. */
export async function parseSigningKey (value: string, source = 'SESSION_SIGNING_KEY'): Promise<SessionSigningKey> {
  const text = value.trim()
  if (text.startsWith('{')) {
    let jwk: JWK
    try {
      jwk = JSON.parse(text) as JWK
    } catch {
      throw new SigningKeyError(`${source} starts with "{" but is not JSON (a JWK was expected).`)
    }
    return await fromJwk(jwk, source)
  }
  const secret = Buffer.from(value, 'utf8')
  if (secret.length < MIN_SECRET_BYTES) {
    throw new SigningKeyError(`${source} is ${secret.length} bytes; a secret needs at least ${MIN_SECRET_BYTES} (e.g. openssl rand -base64 48).`)
  }
  return await fromJwk({ kty: 'oct', k: secret.toString('base64url'), alg: 'HS256' }, source)
}

export interface LoadedSigningKey {
  key: SessionSigningKey
  /** 'SESSION_SIGNING_KEY', or the file it was read from or created in. */
  source: string
  created: boolean
  /** Something an operator should hear about (a key file others could read, now tightened). */
  warning?: string
}

/** Writes a new HS256 key unless the file exists; true when this call created it. */
async function createKeyFileOnce (file: string): Promise<boolean> {
  try {
    await stat(file)
    return false
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  const jwk = { kty: 'oct', alg: 'HS256', k: secret, kid: await calculateJwkThumbprint({ kty: 'oct', k: secret }) }
  const aside = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  await writeFile(aside, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' })
  try {
    await link(aside, file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return false
  } finally {
    await unlink(aside)
  }
}

/**
 * The configured key; else the one in `file`, created on first start (mode 0600). Gateways starting
 * together on one folder agree: the file appears whole and only once (written aside, then linked).
 */
export async function loadSigningKey (opts: { configured?: string | undefined, file: string }): Promise<LoadedSigningKey> {
  if (opts.configured !== undefined && opts.configured !== '') {
    return { key: await parseSigningKey(opts.configured), source: 'SESSION_SIGNING_KEY', created: false }
  }
  const created = await createKeyFileOnce(opts.file)
  let warning: string | undefined
  if (!created && ((await stat(opts.file)).mode & 0o077) !== 0) {
    await chmod(opts.file, 0o600)
    warning = `${opts.file} could be read by other users; its mode is now 0600`
  }
  let parsed: JWK
  try {
    parsed = JSON.parse(await readFile(opts.file, 'utf8')) as JWK
  } catch (err) {
    throw new SigningKeyError(`The session key file ${opts.file} is not a JWK (${(err as Error).message}); delete it to make a new one, or set SESSION_SIGNING_KEY.`)
  }
  return { key: await fromJwk(parsed, opts.file), source: opts.file, created, ...(warning === undefined ? {} : { warning }) }
}
