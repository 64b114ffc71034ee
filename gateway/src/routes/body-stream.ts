// The predict body is streamed to the service, never parsed or buffered here. Fastify's bodyLimit
// only applies to bodies it reads itself, so the limit is enforced on the stream instead (a declared
// Content-Length over it is refused before any byte is read).
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { lingeringClose } from '@modelgate/server-kit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { PayloadTooLarge } from '../errors.ts'

function tooLarge (maxBytes: number): InstanceType<typeof PayloadTooLarge> {
  return new PayloadTooLarge(`The request body is over the gateway's limit of ${maxBytes} bytes.`)
}

/** A request's body as a stream that can start over, for another replica, as long as nothing read from it. */
export class RequestBody extends Readable {
  readonly #restart: () => RequestBody | undefined

  constructor (resume: () => void, restart: () => RequestBody | undefined) {
    super({ read: resume })
    this.#restart = restart
  }

  /** The same body from its first byte (this one may have been destroyed); undefined once any of it was read. */
  restart (): RequestBody | undefined {
    return this.#restart()
  }
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
    // and that must not be the client's connection (the client still gets its 502). A Readable fed
    // from 'data' rather than a Transform piped to: half the stream machinery, on every request.
    let seen = 0
    let ended = false
    // The chunks given to the body until its reader takes the first: a request whose connection
    // failed starts over from them. Dropped (null) once read, so they are held for moments only.
    let unread: Buffer[] | null = []
    const resume = (): void => {
      if (unread !== null && body.readableDidRead) unread = null
      payload.resume()
    }
    let body = new RequestBody(resume, restart)
    function restart (): RequestBody | undefined {
      if (unread === null || body.readableDidRead) return undefined
      body.destroy()
      body = new RequestBody(resume, restart)
      for (const chunk of unread) body.push(chunk)
      if (ended) body.push(null)
      return body
    }
    payload.on('data', (chunk: Buffer) => {
      if (unread !== null) {
        if (body.readableDidRead) unread = null
        else unread.push(chunk)
      }
      // Cut for good (too large, or failed once read from): the rest is not read.
      if (body.destroyed && unread === null) {
        payload.pause()
        return
      }
      seen += chunk.length
      // A chunked body has no Content-Length for the access log's bytesIn.
      request.logFields.bytesIn = seen
      request.shadowSample?.addBody(chunk)
      if (seen > maxBytes) {
        payload.pause()
        unread = null
        body.destroy(tooLarge(maxBytes))
      } else if (body.destroyed || !body.push(chunk)) {
        // Destroyed unread, the body waits in `unread` for a restart.
        payload.pause()
      }
    })
    payload.on('end', () => {
      ended = true
      body.push(null)
    })
    payload.on('error', (err) => {
      unread = null
      body.destroy(err)
    })
    done(null, body)
  }
}

/**
 * When an answer goes out before the body was read (a refusal: unknown model, forbidden, every
 * replica down), the unread rest would stall the kept-alive connection's next request: read and
 * drop it. A body already cut (too large, or its upstream failed) closes the connection, lingering (server-kit linger.ts).
 */
export function discardUnreadBody (request: FastifyRequest, reply: FastifyReply): void {
  const body = request.body
  if (!(body instanceof Readable) || body.readableEnded) return
  if (body.destroyed) lingeringClose(request.raw, reply)
  else body.resume()
}
