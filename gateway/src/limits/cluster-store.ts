// Rate-limit counters shared by the gateway's workers (GATEWAY_WORKERS > 1, no REDIS_URL): each count
// is asked of the primary process, which holds them all (limits/shared-counters.ts).
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { PrimaryLink } from '../cluster/link.ts'
import { routePrefix } from './store-prefix.ts'

/** The store class @fastify/rate-limit instantiates (`store` option). */
export function clusterStore (link: PrimaryLink): FastifyRateLimitStoreCtor {
  class ClusterLimitStore {
    constructor (_params: unknown, private readonly prefix = '') {}

    incr (key: string, callback: (error: Error | null, result?: { current: number, ttl: number }) => void, timeWindow: number): void {
      link.incr(this.prefix + key, timeWindow).then((result) => { callback(null, result) }, (err: unknown) => { callback(err as Error) })
    }

    child (params: unknown): ClusterLimitStore {
      return new ClusterLimitStore(params, `${this.prefix}${routePrefix(params)}`)
    }
  }
  return ClusterLimitStore as unknown as FastifyRateLimitStoreCtor
}
