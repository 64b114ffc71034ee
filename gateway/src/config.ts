import { readFile } from 'node:fs/promises'
import { IntSetting, LogLevelSchema, ServiceTokenSettings } from '@modelgate/server-kit'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

/** Every setting of the gateway process, read from the environment once in main.ts. */
export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: IntSetting(8080, 0, 65535),
  LOG_LEVEL: LogLevelSchema,
  /** Where local state lives (key database, generated upstreams file); relative to the invoking folder. */
  DATA_DIR: Type.String({ default: '.data', minLength: 1 }),
  /** The upstreams file; default `<DATA_DIR>/upstreams.json`, as `pnpm start` writes it. */
  GATEWAY_UPSTREAMS: Type.Optional(Type.String({ minLength: 1 })),
  /** Re-read the upstreams file when it changes on disk (SIGHUP always re-reads it). */
  UPSTREAMS_WATCH: Type.Boolean({ default: true }),
  /** SQLite key database; default `<DATA_DIR>/keys.db`. Ignored when DATABASE_URL is set. */
  KEYS_DB: Type.Optional(Type.String({ minLength: 1 })),
  /** PostgreSQL connection string: keys, revocations and usage shared by several gateways. */
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  MAX_BODY_BYTES: IntSetting(16 * 1024 * 1024, 1024),
  REQUEST_TIMEOUT_MS: IntSetting(30_000, 1000),
  UPSTREAM_TIMEOUT_MS: IntSetting(30_000, 100),
  /** Requests in flight on one replica at most; past it on every replica, 503 MODEL_OVERLOADED. */
  UPSTREAM_MAX_IN_FLIGHT: IntSetting(64, 1, 100_000),
  /** Failed answers in a row (5xx but 503, or timeouts) that eject a replica from rotation. */
  UPSTREAM_EJECT_AFTER: IntSetting(5, 1, 1000),
  /** A first ejection's length; each further one in a row adds as much, up to ten times it. */
  UPSTREAM_EJECT_MS: IntSetting(30_000, 100),
  HEALTH_INTERVAL_MS: IntSetting(1000, 100),
  HEALTH_TIMEOUT_MS: IntSetting(1000, 50),
  /** How long a key lookup is reused; bounds how late a revocation is seen (must stay under a second). */
  KEY_CACHE_MS: IntSetting(500, 0, 1000),
  USAGE_FLUSH_MS: IntSetting(1000, 50),
  TRUST_PROXY: Type.Boolean({ default: false }),
  // Sessions, tokens, rate limits, CORS (docs/gateway.md, "Sessions, tokens and limits").
  /** A secret of 32 bytes or more (HS256) or a private JWK (its alg); default: a key kept in DATA_DIR. */
  SESSION_SIGNING_KEY: Type.Optional(Type.String({ minLength: 1 })),
  SESSION_TTL_SECONDS: IntSetting(900, 30, 86_400),
  /** Sessions one client address may mint per minute. */
  SESSION_RATE_LIMIT: IntSetting(30, 1),
  SESSION_RATE_LIMIT_PER_MIN: IntSetting(60, 1),
  /** Keys without a limit of their own, and identity-provider tokens. */
  RATE_LIMIT_PER_MIN: IntSetting(600, 1),
  /** Requests without a credential (GET /models), per client address. */
  ANON_RATE_LIMIT_PER_MIN: IntSetting(300, 1),
  /** Requests per minute to one model from all callers together; 0: no such limit. */
  MODEL_RATE_LIMIT_PER_MIN: IntSetting(0, 0),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  RATE_LIMIT_REDIS_FAILURE: Type.Union([Type.Literal('open'), Type.Literal('closed')], { default: 'open' }),
  /** How many gateway processes serve together; more than 1 needs REDIS_URL. */
  GATEWAY_REPLICAS: IntSetting(1, 1),
  /** Worker processes serving this gateway's port, on as many cores (node:cluster); `pnpm start` picks the cores, up to 4. */
  GATEWAY_WORKERS: IntSetting(1, 1, 64),
  /** Browser origins allowed to call the gateway, comma-separated; none by default. */
  CORS_ORIGIN: Type.Optional(Type.String()),
  AUTH_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  AUTH_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_ALGORITHMS: Type.String({ default: 'RS256,PS256,ES256,EdDSA', pattern: '^((RS|PS|ES)(256|384|512)|EdDSA)(,((RS|PS|ES)(256|384|512)|EdDSA))*$' }),
  AUTH_JWKS_CACHE_MS: IntSetting(600_000, 0),
  AUTH_JWKS_COOLDOWN_MS: IntSetting(30_000, 0),
  AUTH_CLOCK_TOLERANCE_SECONDS: IntSetting(5, 0, 300),
  SHUTDOWN_GRACE_MS: IntSetting(10_000, 0),
  // Shadow traffic (docs/gateway.md, "Shadow traffic"): bodies over this are not mirrored.
  SHADOW_MAX_BODY_BYTES: IntSetting(4 * 1024 * 1024, 0),
  /** Shadow requests in flight at most; past it, samples are skipped (and counted). */
  SHADOW_MAX_IN_FLIGHT: IntSetting(16, 1, 10_000),
  // The credential sent to the model services on every call (the first token of a rotation's list).
  ...ServiceTokenSettings
})
export type Config = Static<typeof ConfigSchema>

// A replica is an origin: the gateway appends /predict, /readyz and /metadata itself.
const ReplicaUrlSchema = Type.String({ pattern: '^https?://[^/?#\\s]+/?$', description: 'origin of one model service process' })
const TrackFields = {
  version: Type.String({ minLength: 1, maxLength: 64 }),
  replicas: Type.Array(ReplicaUrlSchema, { minItems: 1 })
}
export const TrackSchema = Type.Object(TrackFields, { additionalProperties: false })
export const CanaryTrackSchema = Type.Object({
  ...TrackFields,
  /** Share of the model's traffic in percent (routed by the canary feature). */
  weight: Type.Number({ minimum: 0, maximum: 100 })
}, { additionalProperties: false })
/**
 * A share of the model's predict traffic mirrored, after the caller has its answer, to another model
 * (`model`) or to a candidate version of this one that serves nobody (`version` and `replicas`).
 */
export const ShadowSchema = Type.Object({
  model: Type.Optional(Type.String({ minLength: 1 })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  replicas: Type.Optional(Type.Array(ReplicaUrlSchema, { minItems: 1 })),
  percent: Type.Number({ minimum: 0, maximum: 100 })
}, { additionalProperties: false })
export const ModelUpstreamSchema = Type.Object({
  stable: TrackSchema,
  canary: Type.Optional(CanaryTrackSchema),
  shadow: Type.Optional(ShadowSchema)
}, { additionalProperties: false })
export const UpstreamsFileSchema = Type.Object({
  $comment: Type.Optional(Type.String()),
  models: Type.Record(Type.String(), ModelUpstreamSchema)
}, { additionalProperties: false })
export type Track = Static<typeof TrackSchema>
export type CanaryTrack = Static<typeof CanaryTrackSchema>
export type ModelUpstream = Static<typeof ModelUpstreamSchema>
export type Shadow = Static<typeof ShadowSchema>
export type UpstreamsFile = Static<typeof UpstreamsFileSchema>

export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/

export class UpstreamsFileError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UpstreamsFileError'
  }
}

/** `/models/resnet/stable/replicas/0` → `models.resnet.stable.replicas[0]` */
function fieldName (pointer: string): string {
  return pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((name, part) => /^\d+$/.test(part) ? `${name}[${part}]` : (name === '' ? part : `${name}.${part}`), '')
}

/** Checks a parsed upstreams file; the error names the source and every bad field. */
export function parseUpstreams (value: unknown, source = 'upstreams file'): UpstreamsFile {
  // `additionalProperties: false` reports each extra field twice; the parent's line names it.
  const errors = [...Value.Errors(UpstreamsFileSchema, value)].filter((e) => e.message !== 'schema is false')
  const problems = errors.map((e) => {
    const missing = (e.params as { requiredProperties?: string[] }).requiredProperties
    const extra = (e.params as { additionalProperties?: string[] }).additionalProperties
    const base = fieldName(e.instancePath)
    const field = missing !== undefined ? missing.map((m) => base === '' ? m : `${base}.${m}`).join(', ') : (base || '(root)')
    return `  ${field}: ${e.message}${extra === undefined ? '' : ` (${extra.join(', ')})`}`
  })
  if (problems.length === 0) {
    for (const [id, model] of Object.entries((value as UpstreamsFile).models)) {
      if (!MODEL_ID_PATTERN.test(id)) problems.push(`  models.${id}: a model id is lowercase letters, digits, '.', '_' or '-'`)
      // The pattern lets through origins no URL parser takes (a port over 65535, a bare %): refused
      // here, they made building the routing table throw an error that named no field.
      for (const [name, track] of [['stable', model.stable], ['canary', model.canary], ['shadow', model.shadow]] as const) {
        track?.replicas?.forEach((replica, i) => {
          if (!URL.canParse(replica)) problems.push(`  models.${id}.${name}.replicas[${i}]: not a valid URL`)
        })
      }
      problems.push(...shadowProblems(id, model.shadow, (value as UpstreamsFile).models))
    }
  }
  if (problems.length > 0) throw new UpstreamsFileError(`Invalid ${source}:\n${[...new Set(problems)].join('\n')}`)
  return value as UpstreamsFile
}

/** A shadow names another model, or a version with its replicas: exactly one of the two. */
function shadowProblems (id: string, shadow: Shadow | undefined, models: UpstreamsFile['models']): string[] {
  if (shadow === undefined) return []
  const field = `  models.${id}.shadow`
  if (shadow.model !== undefined) {
    if (shadow.version !== undefined || shadow.replicas !== undefined) return [`${field}: give "model", or "version" and "replicas", not both`]
    if (shadow.model === id) return [`${field}.model: a model cannot shadow itself`]
    if (models[shadow.model] === undefined) return [`${field}.model: no model "${shadow.model}" in this file`]
    return []
  }
  if (shadow.version === undefined || shadow.replicas === undefined) return [`${field}: give "model" (another model's id), or "version" and "replicas" (a candidate version)`]
  if (shadow.version === models[id]?.stable.version) return [`${field}.version: ${shadow.version} is the stable version itself`]
  return []
}

/** Reads and checks the upstreams file named by GATEWAY_UPSTREAMS. */
export async function loadUpstreamsFile (path: string): Promise<UpstreamsFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const hint = code === 'ENOENT' ? ' (`pnpm start` writes it; or set GATEWAY_UPSTREAMS to your own file)' : ''
    throw new UpstreamsFileError(`Cannot read the upstreams file ${path}: ${code ?? (err as Error).message}${hint}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UpstreamsFileError(`The upstreams file ${path} is not JSON: ${(err as Error).message}`)
  }
  return parseUpstreams(value, `upstreams file ${path}`)
}
