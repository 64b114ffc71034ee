// POST /auth/session: an anonymous, short-lived token for the web UI, limited per client address.
import { normalizeIP } from '@fastify/rate-limit'
import type { App } from '@modelgate/server-kit'
import Type from 'typebox'
import type { SessionTokens } from '../auth/session-tokens.ts'
import { PUBLIC, problem } from './schemas.ts'

export interface SessionRouteOptions {
  sessions: SessionTokens
  /** Sessions one client address may mint per minute (SESSION_RATE_LIMIT). */
  mintsPerMin: number
}

export const SessionSchema = Type.Object({
  token: Type.String({ description: 'send as "Authorization: Bearer <token>"' }),
  expiresAt: Type.String({ format: 'date-time', description: 'when the token stops working; mint a new one before' })
})

export async function sessionRoutes (app: App, opts: SessionRouteOptions): Promise<void> {
  // No body is needed; whatever a client sends (an empty JSON body, a form) is read up to 1 KiB and ignored.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 }, (_request, _body, done) => { done(null, undefined) })

  app.post('/auth/session', {
    schema: {
      operationId: 'createSession',
      summary: 'Start an anonymous browser session',
      description: 'Returns a short-lived token (SESSION_TTL_SECONDS) for the predict routes. Minting is limited per client address (SESSION_RATE_LIMIT a minute).',
      tags: ['auth'],
      security: PUBLIC,
      response: { 200: SessionSchema, 429: problem('RATE_LIMITED: too many sessions from this address; Retry-After') }
    },
    config: {
      rateLimit: {
        max: opts.mintsPerMin,
        timeWindow: 60_000,
        keyGenerator: (request) => `mint:${normalizeIP(request.ip)}`
      }
    }
  }, async (request, reply) => {
    const session = await opts.sessions.mint()
    request.logFields.principal = { type: 'session', id: session.sessionId }
    reply.header('cache-control', 'no-store')
    return { token: session.token, expiresAt: session.expiresAt }
  })
}
