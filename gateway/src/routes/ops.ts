import type { App } from '@modelgate/server-kit'
import { OpsSummarySchema, buildOpsSummary } from '../ops/summary.ts'
import type { WorkerWindows } from '../cluster/link.ts'
import { OpsWindow } from '../ops/ops-window.ts'
import { ShadowWindow } from '../shadow/shadow-window.ts'
import { CREDENTIAL, problem } from './schemas.ts'

export interface OpsRouteOptions {
  now?: () => number
  shadows?: ShadowWindow
  /** Every gateway worker's windows, when this is one of several: the summary covers them all. */
  windows?: () => Promise<WorkerWindows[]>
}

/** GET /ops/summary: per-model traffic, latency, errors and routing over the last minutes (admin). */
export async function opsRoutes (app: App, opts: OpsRouteOptions = {}): Promise<void> {
  const now = opts.now ?? Date.now
  app.get('/ops/summary', {
    onRequest: [app.authenticate, app.requireAdmin],
    schema: {
      operationId: 'getOpsSummary',
      summary: 'Traffic, latency, errors and routing per model over the last 5 minutes',
      description: 'Computed from 10 s buckets, over every worker of this gateway; each gateway replica (host) reports its own traffic.',
      tags: ['ops'],
      security: CREDENTIAL,
      response: {
        200: OpsSummarySchema,
        401: problem('AUTH_REQUIRED or AUTH_INVALID'),
        403: problem('ADMIN_REQUIRED')
      }
    }
  }, async () => {
    if (opts.windows === undefined) return buildOpsSummary(app.opsWindow, app.upstreams, now(), opts.shadows)
    const ops = new OpsWindow(now)
    const shadows = new ShadowWindow(now)
    for (const windows of await opts.windows()) {
      ops.absorb(windows.ops)
      shadows.absorb(windows.shadows)
    }
    return buildOpsSummary(ops, app.upstreams, now(), shadows)
  })
}
