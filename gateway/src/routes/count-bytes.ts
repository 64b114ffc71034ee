// bytesOut of a proxied answer is what actually went through, not the service's Content-Length:
// a service may answer chunked, and a client may hang up halfway.
import type { Readable } from 'node:stream'

/**
 * Adds the bytes of `source` to `fields.bytesOut` as they pass, and returns `source` itself for the
 * reply to stream. A 'data' listener beside the reply's pipe rather than a Transform in between: the
 * extra stream cost a few percent of the gateway's CPU per request, and Fastify already relays an
 * upstream failure mid-body to the response and destroys the source when the client hangs up.
 */
export function countBytes (source: Readable, fields: { bytesOut?: number }, tap?: (chunk: Buffer) => void): Readable {
  fields.bytesOut = 0
  // Paused, so that adding the listener does not start the flow: no chunk may pass before the
  // reply's pipe is attached (the pipe resumes it).
  source.pause()
  source.on('data', (chunk: Buffer) => {
    fields.bytesOut = (fields.bytesOut ?? 0) + chunk.length
    tap?.(chunk)
  })
  return source
}
