// A small stand-in for a model service on 127.0.0.1: same routes and answer shapes, with switches
// for readiness, slowness and failures. It records what it received so tests can check forwarding.
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import { onTestFinished } from 'vitest'

export interface Received {
  url: string
  headers: IncomingHttpHeaders
  bytes: number
  sha256: string
}

export interface FakeUpstream {
  url: string
  app: FastifyInstance
  received: Received[]
  /** /readyz answers 503 while false. */
  ready: boolean
  /** Milliseconds /predict waits before answering. */
  delayMs: number
  /** When set, /predict answers this problem instead. */
  problem: { status: number, code: string } | undefined
  /** What /predict answers with, best first. */
  predictions: Array<{ label: string, index: number, probability: number }>
  /** The Authorization header of each GET /metadata. */
  metadataAuthorization: Array<string | undefined>
  close: () => Promise<void>
}

export async function startFakeUpstream (opts: { id?: string, version?: string, port?: number } = {}): Promise<FakeUpstream> {
  const id = opts.id ?? 'resnet'
  const version = opts.version ?? '2.0.0'
  // Closing drops kept-alive connections at once, even one whose request was still being answered.
  const app = Fastify({ logger: false, forceCloseConnections: true })
  const fake: FakeUpstream = { url: '', app, received: [], ready: true, delayMs: 0, problem: undefined, predictions: [{ label: 'cat', index: 3, probability: 0.9 }], metadataAuthorization: [], close: async () => { await app.close() } }
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body))

  app.get('/readyz', async (_request, reply) => fake.ready ? { status: 'ready' } : await reply.code(503).send({ code: 'MODEL_NOT_READY' }))
  app.get('/metadata', async (request) => {
    fake.metadataAuthorization.push(request.headers.authorization)
    return {
      id, name: `${id} fake`, version, sha256: '0'.repeat(64), classes: 10, labels: [], input: { name: 'input', layout: 'NCHW', width: 32, height: 32 }
    }
  })
  app.post('/predict', async (request, reply) => {
    const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0)
    fake.received.push({ url: request.url, headers: request.headers, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') })
    if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs))
    if (fake.problem !== undefined) {
      const { status, code } = fake.problem
      return await reply.code(status).type('application/problem+json').header('retry-after', '7')
        .send(JSON.stringify({ type: `https://modelgate.dev/errors/${code.toLowerCase()}`, title: 'from the service', status, detail: 'service detail', code, requestId: request.headers['x-request-id'] }))
    }
    return { model: { id, name: `${id} fake`, version }, predictions: fake.predictions, timing: { totalMs: 1 } }
  })
  fake.url = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 })
  return fake
}

/** Starts a fake upstream that closes when the current test ends. */
export async function fakeUpstreamForTest (opts: { id?: string, version?: string } = {}): Promise<FakeUpstream> {
  const fake = await startFakeUpstream(opts)
  onTestFinished(fake.close)
  return fake
}
