// A stand-in for the gateway's browser-facing contract (sessions, /models, predict, /ops/summary,
// CORS) while gateway/ grows those features (issue 5). Predict is forwarded to REAL model services,
// so every answer the page shows is a real model's answer; only the gateway's policies are faked.
import { randomUUID } from 'node:crypto'
import { type App, buildServer, defineProblem } from '@modelgate/server-kit'

const AuthRequired = defineProblem('AUTH_REQUIRED', 401, 'Authentication required')
const AuthInvalid = defineProblem('AUTH_INVALID', 401, 'Credentials are not valid')
const ModelNotFound = defineProblem('MODEL_NOT_FOUND', 404, 'No such model')
const ModelUnavailable = defineProblem('MODEL_UNAVAILABLE', 503, 'Model is unavailable')

export interface FakeModel {
  id: string
  /** The model service's base URL (a dead address makes the model "down"). */
  url: string
  /** Shown while no replica answered /metadata, as the real gateway reads it from its upstreams file. */
  version: string
  /** Every `everyNth` request goes to this replica instead; its version answers in x-model-version. */
  canary?: { url: string, version: string, weight: number, everyNth: number }
}

export interface FakeGatewayOptions {
  models: FakeModel[]
  corsOrigin: string
  adminKey: string
}

export interface Served {
  at: number
  modelId: string
  status: number
  ms: number
  /** The session token's id: which browser asked. */
  session: string
}

export interface FakeGateway {
  url: string
  served: Served[]
  /** The next predict answers this problem instead of reaching the model (429, 503…). */
  failNext: (problem: { status: number, code: string, title: string, detail: string, retryAfter?: number }) => void
  close: () => Promise<void>
}

export async function startFakeGateway (opts: FakeGatewayOptions): Promise<FakeGateway> {
  const app: App = buildServer({ name: 'fake-gateway', logLevel: 'warn' })
  const sessions = new Map<string, { id: string, expiresAt: number }>()
  const served: Served[] = []
  const counters = new Map<string, number>()
  let failure: Parameters<FakeGateway['failNext']>[0] | undefined

  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.origin !== opts.corsOrigin) return
    reply.headers({
      'access-control-allow-origin': opts.corsOrigin,
      vary: 'origin',
      'access-control-expose-headers': 'x-model-version, x-request-id, retry-after'
    })
    if (request.method === 'OPTIONS') {
      return await reply.code(204).headers({
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type, x-request-id',
        'access-control-max-age': '600'
      }).send()
    }
  })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (request, body, done) => { done(null, body) })

  app.post('/auth/session', async () => {
    const token = randomUUID()
    const expiresAt = Date.now() + 15 * 60_000
    sessions.set(token, { id: token.slice(0, 8), expiresAt })
    return { token, expiresAt: new Date(expiresAt).toISOString() }
  })

  app.get('/models', async () => ({ models: await Promise.all(opts.models.map(describeModel)) }))

  app.post<{ Params: { id: string } }>('/model/:id/predict', async (request, reply) => {
    const header = request.headers.authorization
    if (header === undefined) throw new AuthRequired('Send Authorization: Bearer <token>.')
    const session = sessions.get(header.replace(/^Bearer /i, ''))
    if (session === undefined || session.expiresAt < Date.now()) throw new AuthInvalid('The token is not one this gateway issued.')
    const model = opts.models.find((m) => m.id === request.params.id)
    if (model === undefined) throw new ModelNotFound(`There is no model "${request.params.id}".`, { extra: { knownModels: opts.models.map((m) => m.id) } })
    const started = performance.now()
    const record = (status: number): void => { served.push({ at: Date.now(), modelId: model.id, status, ms: performance.now() - started, session: session.id }) }

    if (failure !== undefined) {
      const { retryAfter, ...problem } = failure
      failure = undefined
      record(problem.status)
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
      return await reply.code(problem.status).type('application/problem+json')
        .send({ type: `https://modelgate.example/errors/${problem.code.toLowerCase()}`, requestId: request.id, ...problem })
    }
    const n = (counters.get(model.id) ?? 0) + 1
    counters.set(model.id, n)
    const target = model.canary !== undefined && n % model.canary.everyNth === 0
      ? { url: model.canary.url, version: model.canary.version }
      : { url: model.url, version: model.version }
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
    let res: Response
    try {
      res = await fetch(`${target.url}/predict${query}`, {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? 'application/octet-stream', 'x-request-id': request.id },
        body: request.body as Buffer
      })
    } catch {
      record(503)
      throw new ModelUnavailable(`No replica of "${model.id}" answers.`, { headers: { 'retry-after': '2' } })
    }
    record(res.status)
    const retryAfter = res.headers.get('retry-after')
    if (retryAfter !== null) reply.header('retry-after', retryAfter)
    return await reply.code(res.status).headers({
      'content-type': res.headers.get('content-type') ?? 'application/json',
      'x-model-version': target.version
    }).send(Buffer.from(await res.arrayBuffer()))
  })

  app.get('/ops/summary', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${opts.adminKey}`) {
      return await reply.code(401).type('application/problem+json').send({
        type: 'https://modelgate.example/errors/auth-invalid',
        title: 'Credentials are not valid',
        status: 401,
        code: 'AUTH_INVALID',
        detail: 'This endpoint needs an admin API key.',
        requestId: request.id
      })
    }
    return await opsSummary(opts.models, served)
  })

  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url,
    served,
    failNext: (problem) => { failure = problem },
    close: async () => { await app.close() }
  }
}

async function isReady (url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).ok
  } catch {
    return false
  }
}

async function describeModel (m: FakeModel): Promise<Record<string, unknown>> {
  try {
    const res = await fetch(`${m.url}/metadata`, { signal: AbortSignal.timeout(1000) })
    const meta = await res.json() as { name: string, version: string, classes: number, input: { width: number, height: number } }
    return { id: m.id, name: meta.name, version: meta.version, classes: meta.classes, input: { width: meta.input.width, height: meta.input.height }, status: await isReady(m.url) ? 'ready' : 'down' }
  } catch {
    return { id: m.id, version: m.version, status: 'down' }
  }
}

const WINDOW_SECONDS = 300

function percentile (sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 100) / 100
}

async function opsSummary (models: FakeModel[], served: Served[]): Promise<unknown> {
  const now = Date.now()
  const recent = served.filter((s) => s.at > now - WINDOW_SECONDS * 1000)
  return {
    windowSeconds: WINDOW_SECONDS,
    generatedAt: new Date(now).toISOString(),
    models: await Promise.all(models.map(async (m) => {
      const mine = recent.filter((s) => s.modelId === m.id)
      const ms = mine.map((s) => s.ms).sort((a, b) => a - b)
      const errors = mine.filter((s) => s.status >= 400 && s.status !== 429).length
      const buckets = new Map<number, Served[]>()
      for (const s of mine) {
        const t = Math.floor(s.at / 10_000) * 10
        buckets.set(t, [...(buckets.get(t) ?? []), s])
      }
      return {
        id: m.id,
        requestsPerSecond: mine.length / WINDOW_SECONDS,
        latencyMs: { p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) },
        errorRate: mine.length === 0 ? 0 : errors / mine.length,
        rateLimited: mine.filter((s) => s.status === 429).length,
        requests: mine.length,
        stable: { version: m.version, replicas: [{ url: m.url, healthy: await isReady(m.url) }] },
        canary: m.canary === undefined ? null : { version: m.canary.version, weight: m.canary.weight, replicas: [{ url: m.canary.url, healthy: await isReady(m.canary.url) }] },
        series: [...buckets].sort(([a], [b]) => a - b).map(([t, list]) => ({
          t,
          requests: list.length,
          errors: list.filter((s) => s.status >= 400 && s.status !== 429).length,
          rateLimited: list.filter((s) => s.status === 429).length,
          p95Ms: percentile(list.map((s) => s.ms).sort((a, b) => a - b), 95)
        }))
      }
    }))
  }
}
