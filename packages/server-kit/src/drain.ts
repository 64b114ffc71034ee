import fp from 'fastify-plugin'
import { ShuttingDown } from './errors.ts'

/**
 * While the server drains after SIGTERM, requests already in progress finish, and their responses
 * close their connections: a kept-alive connection (the gateway's to a service) would otherwise hold
 * the server open until the grace period ends, and the process would exit 1. Requests that still
 * arrive on an open connection get a 503 problem with `Connection: close` and `Retry-After`, so the
 * client retries elsewhere. (Fastify's own 503 for this is not problem+json.)
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
  app.addHook('onSend', function closeConnectionWhileClosing (request, reply, payload, done) {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'drain', fastify: '5.x', dependencies: ['error-handler'] })
