// The predict body is streamed to the service, never parsed here. Fastify's bodyLimit only applies
// to bodies it reads itself, so the limit is enforced on the stream instead (a declared Content-Length
// over it is refused before any byte is read). A small body with a Content-Length (a JSON `{"url"}`)
// is read whole first: it has usually all come with the headers, and one Buffer costs far less to
// send on than a stream.
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
  readonly #feed: BodyFeed

  constructor (feed: BodyFeed) {
    super()
    this.#feed = feed
  }

  override _read (): void {
    this.#feed.resume()
  }

  /** The same body from its first byte (this one may have been destroyed); undefined once any of it was read. */
  restart (): RequestBody | undefined {
    return this.#feed.restart()
  }
}

/**
 * Feeds a client's body to a RequestBody, under the size limit. A Readable fed from 'data' rather
 * than a Transform piped to: half the stream machinery, on every request. State and methods on one
 * object rather than closures made per request.
 */
class BodyFeed {
  body: RequestBody
  #seen = 0
  #ended = false
  // The chunks given to the body until its reader takes the first: a request whose connection
  // failed starts over from them. Dropped (null) once read, so they are held for moments only.
  #unread: Buffer[] | null = []

  constructor (private readonly request: FastifyRequest, private readonly payload: IncomingMessage, private readonly maxBytes: number) {
    this.body = new RequestBody(this)
  }

  resume (): void {
    if (this.#unread !== null && this.body.readableDidRead) this.#unread = null
    this.payload.resume()
  }

  restart (): RequestBody | undefined {
    if (this.#unread === null || this.body.readableDidRead) return undefined
    this.body.destroy()
    this.body = new RequestBody(this)
    for (const chunk of this.#unread) this.body.push(chunk)
    if (this.#ended) this.body.push(null)
    return this.body
  }

  data (chunk: Buffer): void {
    const body = this.body
    if (this.#unread !== null) {
      if (body.readableDidRead) this.#unread = null
      else this.#unread.push(chunk)
    }
    // Cut for good (too large, or failed once read from): the rest is not read.
    if (body.destroyed && this.#unread === null) {
      this.payload.pause()
      return
    }
    this.#seen += chunk.length
    // A chunked body has no Content-Length for the access log's bytesIn.
    this.request.logFields.bytesIn = this.#seen
    this.request.shadowSample?.addBody(chunk)
    if (this.#seen > this.maxBytes) {
      this.payload.pause()
      this.#unread = null
      body.destroy(tooLarge(this.maxBytes))
    } else if (body.destroyed || !body.push(chunk)) {
      // Destroyed unread, the body waits in `unread` for a restart.
      this.payload.pause()
    }
  }

  end (): void {
    this.#ended = true
    this.body.push(null)
  }

  fail (err: Error): void {
    this.#unread = null
    this.body.destroy(err)
  }
}

/** Bodies of at most this many bytes, declared by Content-Length, are read whole rather than streamed. */
export const READ_WHOLE_BYTES = 64 * 1024

/** Reads a small body whole: its Content-Length says it is at most READ_WHOLE_BYTES. */
function readWhole (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void): void {
  const chunks: Buffer[] = []
  let seen = 0
  payload.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    seen += chunk.length
    request.logFields.bytesIn = seen
  })
  payload.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, seen)
    request.shadowSample?.addBody(body)
    done(null, body)
  })
  payload.on('error', (err) => { done(err) })
}

/**
 * A content-type parser that hands the body on as a stream of at most maxBytes, or, when its
 * Content-Length is at most READ_WHOLE_BYTES and it has a Content-Type to send it on with, as a Buffer.
 */
export function streamBodyParser (maxBytes: number) {
  return function parseStream (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void): void {
    const declared = Number(request.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) {
      done(tooLarge(maxBytes))
      return
    }
    if (declared <= READ_WHOLE_BYTES && request.headers['content-type'] !== undefined) {
      readWhole(request, payload, done)
      return
    }
    // Always a stream of our own: when the upstream fails, undici destroys the body it was given,
    // and that must not be the client's connection (the client still gets its 502).
    const feed = new BodyFeed(request, payload, maxBytes)
    payload.on('data', (chunk: Buffer) => { feed.data(chunk) })
    payload.on('end', () => { feed.end() })
    payload.on('error', (err) => { feed.fail(err) })
    done(null, feed.body)
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
