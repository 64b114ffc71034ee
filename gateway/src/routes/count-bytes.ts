// bytesOut of a proxied answer is what actually went through, not the service's Content-Length:
// a service may answer chunked, and a client may hang up halfway.
import type { Readable } from 'node:stream'
import { Transform, type TransformCallback } from 'node:stream'

/** The same bytes as `source`, adding their count to `fields.bytesOut` as they pass. */
export function countBytes (source: Readable, fields: { bytesOut?: number }): Readable {
  fields.bytesOut = 0
  const counter = new Transform({
    transform (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      fields.bytesOut = (fields.bytesOut ?? 0) + chunk.length
      callback(null, chunk)
    }
  })
  // By hand rather than stream.pipeline, whose per-call AbortController cost a tenth of the gateway's
  // CPU under load: an upstream failure mid-body reaches the response, and a response that closes
  // early (the client hung up) releases the upstream connection.
  source.once('error', (err) => counter.destroy(err))
  counter.once('close', () => { if (!source.readableEnded) source.destroy() })
  return source.pipe(counter)
}
