import fp from 'fastify-plugin'
import { ShuttingDown } from './errors.ts'

/**
 * While the server drains after SIGTERM, requests that still arrive on open keep-alive connections
 * get a 503 problem with `Connection: close` and `Retry-After`, so the client retries elsewhere;
 * requests already in progress finish. (Fastify's own 503 for this is not problem+json.)
 */
export const drain = fp(async function drain (app) {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onRequest', function refuseWhileClosing (request, reply, done) {
    if (!closing) {
      done()
      return
    }
    reply.header('connection', 'close').header('retry-after', '1')
      .sendProblem(new ShuttingDown('This instance is shutting down; retry the request.'))
  })
}, { name: 'drain', fastify: '5.x', dependencies: ['error-handler'] })
