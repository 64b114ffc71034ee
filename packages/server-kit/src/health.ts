import fp from 'fastify-plugin'
import { ServiceNotReady } from './errors.ts'
import type { ProblemError } from './problem.ts'

export interface HealthOptions {
  /** True once the process can serve; /readyz answers 503 until then. */
  isReady: () => boolean | Promise<boolean>
  /** The problem /readyz answers while not ready. */
  notReady?: () => ProblemError
}

/** GET /healthz (the process is alive) and GET /readyz (it can serve traffic). */
export const health = fp<HealthOptions>(async function health (app, opts) {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (request, reply) => {
    if (await opts.isReady()) return { status: 'ready' }
    const problem = opts.notReady?.() ?? new ServiceNotReady('The service is starting or stopping.')
    return reply.header('retry-after', '1').sendProblem(problem)
  })
}, { name: 'health', fastify: '5.x', dependencies: ['error-handler'] })
