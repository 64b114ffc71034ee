import fp from 'fastify-plugin'
import type { UsageRecorder } from '../auth/usage-recorder.ts'

export interface UsageOptions {
  recorder: UsageRecorder
}

/** Counts each request a key made to a model (once routed to it) in the key store's usage table. */
export const usage = fp<UsageOptions>(async function usage (app, opts) {
  app.addHook('onResponse', function countUsage (request, _reply, done) {
    if (request.principal?.type === 'key' && request.target !== null) {
      opts.recorder.count(request.principal.id, request.target.modelId)
    }
    done()
  })
  app.addHook('onReady', async () => { opts.recorder.start() })
  // Runs after the server stopped taking requests, so the last counts are written.
  app.addHook('onClose', async () => { await opts.recorder.stop() })
}, { name: 'usage', fastify: '5.x', dependencies: ['auth', 'upstreams'] })
