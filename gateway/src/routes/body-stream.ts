// The predict body is streamed to the service, never parsed or buffered here. Fastify's bodyLimit
// only applies to bodies it reads itself, so the limit is enforced on the stream instead (a declared
// Content-Length over it is refused before any byte is read).
import type { IncomingMessage } from 'node:http'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { PayloadTooLarge } from '../errors.ts'

function tooLarge (maxBytes: number): InstanceType<typeof PayloadTooLarge> {
  return new PayloadTooLarge(`The request body is over the gateway's limit of ${maxBytes} bytes.`)
}

/** A content-type parser that hands the body on as a stream of at most maxBytes. */
export function streamBodyParser (maxBytes: number) {
  return function parseStream (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void): void {
    const declared = Number(request.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) {
      done(tooLarge(maxBytes))
      return
    }
    // Always a stream of our own: when the upstream fails, undici destroys the body it was given,
    // and that must not be the client's connection (the client still gets its 502).
    let seen = 0
    const limited = new Transform({
      transform (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        seen += chunk.length
        // A chunked body has no Content-Length for the access log's bytesIn.
        request.logFields.bytesIn = seen
        if (seen > maxBytes) callback(tooLarge(maxBytes))
        else callback(null, chunk)
      }
    })
    payload.on('error', (err) => limited.destroy(err))
    done(null, payload.pipe(limited))
  }
}

/**
 * When an answer goes out before the body was read (a refusal: unknown model, forbidden, every
 * replica down), the unread rest would stall the kept-alive connection's next request: read and
 * drop it. A body already cut for its size cannot be drained: that connection is closed instead.
 */
export function discardUnreadBody (request: FastifyRequest, reply: FastifyReply): void {
  const body = request.body
  if (!(body instanceof Readable) || body.readableEnded) return
  if (body.destroyed) reply.header('connection', 'close')
  else body.resume()
}
