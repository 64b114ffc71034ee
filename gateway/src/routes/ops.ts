import type { App } from '@modelgate/server-kit'
import { OpsSummarySchema, buildOpsSummary } from '../ops/summary.ts'
import type { ShadowWindow } from '../shadow/shadow-window.ts'
import { CREDENTIAL, problem } from './schemas.ts'

export interface OpsRouteOptions {
  now?: () => number
  shadows?: ShadowWindow
}

/** GET /ops/summary: per-model traffic, latency, errors and routing over the last minutes (admin). */
export async function opsRoutes (app: App, opts: OpsRouteOptions = {}): Promise<void> {
  const now = opts.now ?? Date.now
  app.get('/ops/summary', {
    onRequest: [app.authenticate, app.requireAdmin],
    schema: {
      operationId: 'getOpsSummary',
      summary: 'Traffic, latency, errors and routing per model over the last 5 minutes',
      description: 'Computed in the gateway process from 10 s buckets; each gateway replica reports its own traffic.',
      tags: ['ops'],
      security: CREDENTIAL,
      response: {
        200: OpsSummarySchema,
        401: problem('AUTH_REQUIRED or AUTH_INVALID'),
        403: problem('ADMIN_REQUIRED')
      }
    }
  }, async () => buildOpsSummary(app.opsWindow, app.upstreams, now(), opts.shadows))
}
