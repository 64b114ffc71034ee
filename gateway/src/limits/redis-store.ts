// Rate-limit counters shared by every gateway process through Redis, and what happens while Redis is
// gone: 'open' serves without limits, 'closed' answers 503; either way it is logged once per outage.
import type { FastifyBaseLogger } from 'fastify'
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { Redis } from 'ioredis'
import { RateLimitUnavailable } from '../errors.ts'
import { routePrefix } from './store-prefix.ts'

export type RedisFailureMode = 'open' | 'closed'

// One round trip: count, and start the window on the first request (or on a key left without expiry).
const INCR_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`
const COMMAND = 'modelgateRateLimit'

type ScriptedRedis = Redis & Record<typeof COMMAND, (key: string, windowMs: number) => Promise<[number, number]>>

/** A client for rate limits: commands fail at once while disconnected (no queue), reconnects within a second. */
export function createRedisClient (url: string, commandTimeoutMs = 500): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000)
  })
  // Failures are reported by the store (once per outage); without a listener ioredis prints each one.
  redis.on('error', () => {})
  return redis
}

/** Connects before the gateway listens, so a wrong REDIS_URL stops the start instead of every limit. */
export async function connectRedis (redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect()
  } catch (err) {
    redis.disconnect()
    throw new Error(`Redis at REDIS_URL (${url.replace(/\/\/[^@/]*@/, '//***@')}) does not answer: ${(err as Error).message}`)
  }
}

/** Logs the start and the end of an outage once each, whichever request or event notices first. */
class OutageLog {
  down = false
  constructor (private readonly log: FastifyBaseLogger, private readonly mode: RedisFailureMode) {}
  failed (err: unknown): void {
    if (this.down) return
    this.down = true
    const effect = this.mode === 'open' ? 'serving without rate limits until it is back' : 'answering 503 RATE_LIMIT_UNAVAILABLE until it is back'
    this.log.warn({ err, rateLimitRedis: 'down', failureMode: this.mode }, `rate-limit redis unavailable, ${effect}`)
  }

  recovered (): void {
    if (!this.down) return
    this.down = false
    this.log.info({ rateLimitRedis: 'up', failureMode: this.mode }, 'rate-limit redis is back, limits apply again')
  }
}

export interface RedisStoreOptions {
  redis: Redis
  failureMode: RedisFailureMode
  log: FastifyBaseLogger
  /** Prefix of every counter's key. */
  prefix?: string
}

/** The store class @fastify/rate-limit instantiates (`store` option). */
export function redisStore (opts: RedisStoreOptions): FastifyRateLimitStoreCtor {
  const redis = opts.redis as ScriptedRedis
  if (typeof redis[COMMAND] !== 'function') redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: INCR_SCRIPT })
  const outage = new OutageLog(opts.log, opts.failureMode)
  redis.on('error', (err) => { outage.failed(err) })
  redis.on('ready', () => { outage.recovered() })

  class RedisLimitStore {
    constructor (_params: unknown, private readonly prefix = opts.prefix ?? 'modelgate:rl:') {}

    incr (key: string, callback: (error: Error | null, result?: { current: number, ttl: number }) => void, timeWindow: number): void {
      redis[COMMAND](this.prefix + key, timeWindow).then(([current, ttl]) => {
        outage.recovered()
        callback(null, { current, ttl })
      }, (err: unknown) => {
        outage.failed(err)
        callback(opts.failureMode === 'closed'
          ? new RateLimitUnavailable('Rate limits cannot be checked now (their shared store does not answer); retry shortly.', { headers: { 'retry-after': '1' }, cause: err })
          : err as Error)
      })
    }

    child (params: unknown): RedisLimitStore {
      return new RedisLimitStore(params, `${this.prefix}${routePrefix(params)}`)
    }
  }
  return RedisLimitStore as unknown as FastifyRateLimitStoreCtor
}
