import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import fp from 'fastify-plugin'

export const REQUEST_ID_HEADER = 'x-request-id'
// Accept a caller's id only when it is short and plain, so it cannot forge log lines or headers.
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/

/** Fastify's `genReqId`: a well-formed incoming x-request-id, else a new UUID. */
export function requestIdFrom (req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER]
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID()
}

/** Echoes the request id on every response. */
export const requestId = fp(async function requestId (app) {
  // Callback-style hooks here and on the other per-request paths: an async hook costs a promise and
  // a microtask turn per request, for work that never waits.
  app.addHook('onRequest', function echoRequestId (request, reply, done) {
    reply.header(REQUEST_ID_HEADER, request.id)
    done()
  })
}, { name: 'request-id', fastify: '5.x' })
