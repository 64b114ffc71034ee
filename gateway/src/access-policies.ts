// From the configuration to what buildGateway needs for sessions, identity-provider tokens, rate
// limits and CORS; and the checks that stop a start that would not hold its limits.
import { join } from 'node:path'
import type { GatewayOptions } from './app.ts'
import type { PrimaryLink } from './cluster/link.ts'
import { createJwksAuthenticator } from './auth/jwks-verifier.ts'
import { SESSION_ISSUER, createSessionTokens } from './auth/session-tokens.ts'
import { loadSigningKey } from './auth/signing-key.ts'
import type { Config } from './config.ts'
import { acquireInstanceLock } from './limits/instance-lock.ts'
import { clusterStore } from './limits/cluster-store.ts'
import { connectRedis, createRedisClient } from './limits/redis-store.ts'
import { parseCorsOrigins } from './plugins/security.ts'

export type PolicyConfig = Pick<Config, 'SESSION_SIGNING_KEY' | 'SESSION_TTL_SECONDS' | 'SESSION_RATE_LIMIT' |
'SESSION_RATE_LIMIT_PER_MIN' | 'RATE_LIMIT_PER_MIN' | 'ANON_RATE_LIMIT_PER_MIN' | 'MODEL_RATE_LIMIT_PER_MIN' | 'REDIS_URL' |
'RATE_LIMIT_REDIS_FAILURE' | 'GATEWAY_REPLICAS' | 'CORS_ORIGIN' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' |
'AUTH_ALGORITHMS' | 'AUTH_JWKS_CACHE_MS' | 'AUTH_JWKS_COOLDOWN_MS' | 'AUTH_CLOCK_TOLERANCE_SECONDS'>

/** The lock that keeps a second gateway (not its own workers) off a data folder. */
export const instanceLockFile = (dataDir: string): string => join(dataDir, 'gateway.lock')
/** The session signing key the gateway makes and keeps when SESSION_SIGNING_KEY is not set. */
export const signingKeyFile = (dataDir: string): string => join(dataDir, 'session-signing-key.json')

export class PolicyConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'PolicyConfigError'
  }
}

export interface AccessPolicies {
  options: Pick<GatewayOptions, 'sessions' | 'sessionMintsPerMin' | 'rateLimits' | 'corsOrigins' | 'authenticators'>
  /** For the start log: where the session key and the counters live, what is accepted. */
  summary: Record<string, unknown>
  warnings: string[]
  close: () => Promise<void>
}

/** The settings that go together, checked before anything starts (also by the primary of several workers). */
export function checkPolicyConfig (config: PolicyConfig): void {
  const idp = [config.AUTH_JWKS_URL, config.AUTH_ISSUER, config.AUTH_AUDIENCE]
  if (idp.some((v) => v !== undefined) && idp.some((v) => v === undefined)) {
    throw new PolicyConfigError('AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE go together: set all three, or none.')
  }
  if (config.AUTH_ISSUER === SESSION_ISSUER) throw new PolicyConfigError(`AUTH_ISSUER may not be ${SESSION_ISSUER} (the gateway's own sessions).`)
  if (config.GATEWAY_REPLICAS > 1 && config.REDIS_URL === undefined) {
    throw new PolicyConfigError(`GATEWAY_REPLICAS=${config.GATEWAY_REPLICAS} needs REDIS_URL: without it each gateway counts rate limits on its own and clients get ${config.GATEWAY_REPLICAS} times their limit.`)
  }
}

/** A gateway worker's link to its primary: the primary holds the data-folder lock and, without Redis, the counters. */
export interface PolicyOptions {
  worker?: PrimaryLink
}

export async function setupAccessPolicies (config: PolicyConfig, dataDir: string, opts: PolicyOptions = {}): Promise<AccessPolicies> {
  checkPolicyConfig(config)

  const cleanups: Array<() => Promise<void>> = []
  const close = async (): Promise<void> => { for (const fn of cleanups.splice(0).reverse()) await fn() }
  try {
    const redis = config.REDIS_URL === undefined ? undefined : createRedisClient(config.REDIS_URL)
    if (redis !== undefined && config.REDIS_URL !== undefined) {
      await connectRedis(redis, config.REDIS_URL)
      cleanups.push(async () => { redis.disconnect() })
    } else if (opts.worker === undefined) {
      const lock = await acquireInstanceLock(instanceLockFile(dataDir))
      cleanups.push(lock.release)
    }
    const store = redis === undefined && opts.worker !== undefined ? clusterStore(opts.worker) : undefined

    const signing = await loadSigningKey({ configured: config.SESSION_SIGNING_KEY, file: signingKeyFile(dataDir) })
    const sessions = createSessionTokens({ key: signing.key, ttlSeconds: config.SESSION_TTL_SECONDS, clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS })
    const authenticators = config.AUTH_JWKS_URL === undefined || config.AUTH_ISSUER === undefined || config.AUTH_AUDIENCE === undefined
      ? []
      : [createJwksAuthenticator({
          jwksUrl: config.AUTH_JWKS_URL,
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
          algorithms: config.AUTH_ALGORITHMS.split(','),
          cacheMs: config.AUTH_JWKS_CACHE_MS,
          cooldownMs: config.AUTH_JWKS_COOLDOWN_MS,
          clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS
        })]
    const corsOrigins = parseCorsOrigins(config.CORS_ORIGIN)
    return {
      options: {
        sessions,
        sessionMintsPerMin: config.SESSION_RATE_LIMIT,
        authenticators,
        corsOrigins,
        rateLimits: {
          defaultPerMin: config.RATE_LIMIT_PER_MIN,
          sessionPerMin: config.SESSION_RATE_LIMIT_PER_MIN,
          anonymousPerMin: config.ANON_RATE_LIMIT_PER_MIN,
          modelPerMin: config.MODEL_RATE_LIMIT_PER_MIN,
          redis,
          redisFailure: config.RATE_LIMIT_REDIS_FAILURE,
          store
        }
      },
      summary: {
        sessionKey: { source: signing.source, created: signing.created, alg: signing.key.alg },
        rateLimitStore: redis !== undefined ? 'redis' : store !== undefined ? 'workers' : 'memory',
        identityProvider: config.AUTH_ISSUER ?? null,
        corsOrigins
      },
      warnings: signing.warning === undefined ? [] : [signing.warning],
      close
    }
  } catch (err) {
    await close()
    throw err
  }
}
