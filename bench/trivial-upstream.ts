// A stand-in model service for `pnpm bench:gateway`: the same routes and answer shape, no model, so
// what is measured is the proxy in front of it. Plain node:http, on PORT (loopback).
import { createServer } from 'node:http'

const answer = JSON.stringify({
  model: { id: 'echo', name: 'Trivial upstream', version: '1.0.0' },
  predictions: [{ label: 'tabby cat', index: 281, probability: 0.71 }, { label: 'tiger cat', index: 282, probability: 0.18 }, { label: 'Egyptian cat', index: 285, probability: 0.06 }],
  timing: { decodeMs: 0, inferenceMs: 0, totalMs: 0 }
})
const metadata = JSON.stringify({ id: 'echo', name: 'Trivial upstream', version: '1.0.0', classes: 1000, input: { width: 224, height: 224 } })

const server = createServer((req, res) => {
  // Read the whole body first, as a service does before answering.
  req.resume()
  req.on('end', () => {
    const body = req.url?.startsWith('/predict') === true ? answer : req.url === '/metadata' ? metadata : '{"status":"ready"}'
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
})
server.keepAliveTimeout = 72_000
server.listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); process.exit(0) })
