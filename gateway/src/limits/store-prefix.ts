/**
 * The part of a shared store's counter keys that tells routes with limits of their own apart (session
 * minting), and extra limiters (per model): @fastify/rate-limit passes a route's merged limit options
 * (typed as RouteOptions, but with `routeInfo`) to the store's `child`.
 */
export function routePrefix (params: unknown): string {
  const info = (params as { routeInfo?: { method?: string | string[], url?: string } }).routeInfo
  return `${info?.url === undefined ? 'extra' : `${String(info.method)}${info.url}`}:`
}
