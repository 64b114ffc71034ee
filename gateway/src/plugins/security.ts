// Security headers (@fastify/helmet) on every response, and CORS (@fastify/cors) for the browser
// origins in CORS_ORIGIN. Registered first, so refusals (401, 429) carry both and a page can read them.
import cors from '@fastify/cors'
import fp from 'fastify-plugin'
import { helmetHeaders } from './helmet-headers.ts'

export interface SecurityOptions {
  /** Exact origins (`https://ui.example.com`), or `*`; empty: no CORS headers at all. */
  corsOrigins: string[]
}

// What a page may read from a response besides the CORS-safelisted headers.
export const CORS_EXPOSED_HEADERS = ['x-model-version', 'retry-after', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']

/** CORS_ORIGIN (`a, b`) → a list of origins; empty entries dropped. */
export function parseCorsOrigins (value: string | undefined): string[] {
  return (value ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter((o) => o !== '')
}

export const security = fp<SecurityOptions>(async function security (app, opts) {
  // The same headers on every route, so they are worked out once rather than per request (helmet
  // rebuilt its middleware on every request: a twentieth of the gateway's CPU under load).
  const headers = Object.entries(await helmetHeaders({
    contentSecurityPolicy: {
      // Helmet's defaults suit the /docs page (scripts and styles from 'self', images as data:); the
      // gateway is often reached over plain http on a LAN, where upgrading subresources would break it.
      directives: { 'upgrade-insecure-requests': null }
    }
  }))
  // On Node's response itself, where Fastify adds its own when it answers: the same headers, without
  // Fastify's bookkeeping of each (a few percent of the gateway's CPU per request).
  app.addHook('onRequest', function securityHeaders (_request, reply, done) {
    const res = reply.raw
    for (const [name, value] of headers) res.setHeader(name, value)
    done()
  })
  if (opts.corsOrigins.length === 0) return
  await app.register(cors, {
    origin: opts.corsOrigins.includes('*') ? '*' : opts.corsOrigins,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id'],
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Bearer tokens, never cookies: no credentialed requests.
    credentials: false,
    maxAge: 600
  })
}, { name: 'security', fastify: '5.x' })
