import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply } from 'fastify'
import fp from 'fastify-plugin'

// An answer sent before the request's body has all arrived (413 for a body over the limit, a refusal
// before reading) closes the connection. Closed at once, the kernel answers the client's next bytes
// with a reset, and a client that reads only once it has sent everything loses the answer it had
// not read yet. As nginx's lingering close: send the answer, half-close, and keep reading and
// dropping what still comes, for a bounded time and size, before closing.

/** How long, and how many bytes, a closing connection keeps reading what its client still sends. */
const LINGER_MS = 10_000
const LINGER_BYTES = 256 * 1024 * 1024

const lingering = Symbol('lingering')
type LingeringSocket = Socket & { [lingering]?: true }

function noop (): void {}

/**
 * Closes the connection once the answer has been sent, after reading and dropping the rest of the
 * request's body (at most LINGER_BYTES, LINGER_MS). Sets `Connection: close`.
 */
export function lingeringClose (request: IncomingMessage, reply: FastifyReply): void {
  reply.header('connection', 'close')
  const socket = request.socket as LingeringSocket | null
  if (request.complete || socket === null || socket.destroyed || socket[lingering] === true) return
  socket[lingering] = true
  // Whatever was reading the body (a parser that gave up, a stream to an upstream that failed) lets go.
  request.removeAllListeners('data')
  let dropped = 0
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length
    if (dropped > LINGER_BYTES) socket.destroy()
  })
  request.resume()
  // Node closes the connection after its last answer with destroySoon(): half-close instead, and
  // close when the client has stopped sending, or at the bounds.
  socket.destroySoon = function closeWhenClientDone (this: Socket): void {
    if (this.writable) this.end()
    const close = (): void => {
      clearTimeout(timer)
      this.destroy()
    }
    const timer = setTimeout(close, LINGER_MS)
    timer.unref()
    if (this.readableEnded) close()
    else this.once('end', close)
    this.once('close', () => { clearTimeout(timer) })
    this.on('error', noop)
  }
}

/** Every answer that closes its connection before the request's body has all arrived lingers (see above). */
export const lingeringCloses = fp(async function lingeringCloses (app) {
  app.addHook('onSend', function lingerIfClosing (request, reply, payload, done) {
    if (!request.raw.complete && String(reply.getHeader('connection')).toLowerCase() === 'close') lingeringClose(request.raw, reply)
    done(null, payload)
  })
}, { name: 'lingering-closes', fastify: '5.x' })
