// The hostile corpus: one JSON file per case in corpus/, checked against CaseSchema when loaded so a
// typo in a case fails the suite instead of silently testing nothing.
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url))
export const FILES_DIR = `${CORPUS_DIR}files/`

// Text is a string, `{ repeat, times }` for what is too large to keep in a file, or a list of both.
const PieceSchema = Type.Union([Type.String(), Type.Object({ repeat: Type.String({ minLength: 1 }), times: Type.Integer({ minimum: 1, maximum: 10_000_000 }) }, { additionalProperties: false })])
export const TextSchema = Type.Union([PieceSchema, Type.Array(PieceSchema)])
export type Text = Static<typeof TextSchema>

const TIME_CLAIM = '^now[+-]\\d+$'

/** A JWT put together by the runner (times are `now+300`, `now-60`), signed as `signWith` says. */
export const TokenRecipeSchema = Type.Object({
  /** Whose default claims (iss, aud, sub, iat, exp) the token starts from. */
  issuer: Type.Union([Type.Literal('idp'), Type.Literal('session')]),
  signWith: Type.Union([
    Type.Literal('idp'), Type.Literal('session'), Type.Literal('attacker'), Type.Literal('none'),
    Type.Literal('hmac-idp-public-pem'), Type.Literal('hmac-session-public-pem'), Type.Literal('hmac-empty')
  ]),
  /** Merged over `{ alg, kid, typ }` of the signer; `"attackerJwk"` as a value embeds the attacker's public key. */
  header: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  claims: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String({ pattern: TIME_CLAIM }), Type.Unknown()]))),
  omit: Type.Optional(Type.Array(Type.String())),
  /** For `signWith: none`: the signature segment as sent (default empty). */
  signature: Type.Optional(Type.String()),
  /** Extra bytes in a `pad` claim, to make a token too large. */
  padBytes: Type.Optional(Type.Integer({ minimum: 1 }))
}, { additionalProperties: false })
export type TokenRecipe = Static<typeof TokenRecipeSchema>

const MultipartPartSchema = Type.Object({
  name: Type.String(),
  filename: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  /** A fixture in corpus/files/. */
  file: Type.Optional(Type.String()),
  value: Type.Optional(Type.String())
}, { additionalProperties: false })

export const CaseSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  /** What the attack tries, in a sentence. */
  attack: Type.String({ minLength: 1 }),
  target: Type.Union([Type.Literal('gateway'), Type.Literal('fetcher')]),
  // target gateway: a request on a socket of its own, with an x-request-id of the case's.
  method: Type.Optional(Type.String()),
  path: Type.Optional(TextSchema),
  /** Default `key`: a valid API key as Bearer; `none`: no credential (headers may bring their own). */
  auth: Type.Optional(Type.Union([Type.Literal('key'), Type.Literal('none'), Type.Object({ jwt: TokenRecipeSchema }, { additionalProperties: false })])),
  headers: Type.Optional(Type.Record(Type.String(), TextSchema)),
  body: Type.Optional(TextSchema),
  bodyFile: Type.Optional(Type.String()),
  multipart: Type.Optional(Type.Array(MultipartPartSchema)),
  /** Sends the headers (or the head and a declared body) one piece every `everyMs` ms and never finishes. */
  trickle: Type.Optional(Type.Object({ part: Type.Union([Type.Literal('headers'), Type.Literal('body')]), everyMs: Type.Integer({ minimum: 10 }) }, { additionalProperties: false })),
  // target fetcher: createImageFetcher in-process, names through `resolve` only.
  url: Type.Optional(TextSchema),
  resolve: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  allowHosts: Type.Optional(Type.Array(Type.String())),
  expect: Type.Object({
    status: Type.Integer({ minimum: 200, maximum: 599 }),
    /** The problem code; absent only for a 2xx. */
    code: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]+$' })),
    /** Gateway: whether the model service answered this request; unchecked when absent. */
    reachesService: Type.Optional(Type.Boolean()),
    /** Fetcher: requests the loopback image hosts received (0: refused before connecting). */
    hostRequests: Type.Optional(Type.Integer({ minimum: 0 }))
  }, { additionalProperties: false })
}, { additionalProperties: false })
export type HostileCase = Static<typeof CaseSchema> & { file: string }

/** Every case of the corpus, sorted by file name; throws naming the file and field of a bad one. */
export function loadCorpus (): HostileCase[] {
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json')).sort()
  return files.map((file) => {
    const value = JSON.parse(readFileSync(`${CORPUS_DIR}${file}`, 'utf8')) as unknown
    const error = [...Value.Errors(CaseSchema, value)][0]
    if (error !== undefined) throw new Error(`corpus/${file}: ${error.instancePath || '(root)'} ${error.message}`)
    const c = value as Static<typeof CaseSchema>
    if (c.target === 'fetcher' && c.url === undefined) throw new Error(`corpus/${file}: a fetcher case needs "url"`)
    if (c.expect.status >= 300 && c.expect.code === undefined) throw new Error(`corpus/${file}: expect.code is missing`)
    return { ...c, file }
  })
}

/** The text with `{name}` placeholders replaced; `{base64:file}` is a fixture's bytes in base64. */
export function renderText (text: Text, vars: Record<string, string>): string {
  const pieces = Array.isArray(text) ? text : [text]
  const joined = pieces.map((p) => typeof p === 'string' ? p : p.repeat.repeat(p.times)).join('')
  return joined.replace(/\{(base64:)?([A-Za-z0-9._-]+)\}/g, (whole, base64: string | undefined, name: string) => {
    if (base64 !== undefined) return readFixture(name).toString('base64')
    return vars[name] ?? whole
  })
}

export function readFixture (name: string): Buffer {
  return readFileSync(`${FILES_DIR}${name}`)
}
