// Refusals Node's HTTP server makes before Fastify sees a request: a head over the 16 KiB limit
// (431), a request slower than requestTimeout to arrive (408, slowloris), bytes that are not HTTP
// (400), an Expect other than 100-continue (417). Answered as problem+json like every other refusal,
// instead of Fastify's JSON shape or Node's empty body.
import { type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { ExpectationFailed, HeadersTooLarge, RequestMalformed, RequestTimeout } from './errors.ts'
import { PROBLEM_CODE_HEADER, PROBLEM_CONTENT_TYPE, type ProblemError, problemBody } from './problem.ts'

function problemFor (err: NodeJS.ErrnoException): ProblemError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new RequestTimeout('The request did not arrive completely in time.')
  if (err.code === 'HPE_HEADER_OVERFLOW') return new HeadersTooLarge('The request headers are over the 16 KiB limit.')
  return new RequestMalformed('The request is not valid HTTP/1.1.')
}

/** Fastify's `clientErrorHandler`: writes the problem on the raw socket and closes it. */
export function clientErrorHandler (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const problem = problemFor(err)
  this.log.debug({ err, errCode: problem.code, clientIp: socket.remoteAddress }, 'request refused before parsing')
  // As Node's own handler does: once a response has begun on this socket, another one would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (socket.writable && inFlight?.headersSent !== true) {
    const body = JSON.stringify(problemBody(problem, undefined))
    socket.write(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${PROBLEM_CODE_HEADER}: ${problem.code}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(err)
}

/** The server's `checkExpectation` listener: Node calls it for an Expect header it does not know. */
export function expectationFailed (_req: IncomingMessage, res: ServerResponse): void {
  const problem = new ExpectationFailed('Only "Expect: 100-continue" is supported.')
  const body = JSON.stringify(problemBody(problem, undefined))
  res.writeHead(problem.status, { 'content-type': PROBLEM_CONTENT_TYPE, [PROBLEM_CODE_HEADER]: problem.code, 'x-content-type-options': 'nosniff', connection: 'close' })
  res.end(body)
}
