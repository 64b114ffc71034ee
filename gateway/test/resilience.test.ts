// Failing replicas: a request whose connection failed goes to another replica, once; replicas that keep
// failing leave rotation for a growing time; each replica takes at most UPSTREAM_MAX_IN_FLIGHT requests.
import { createHash } from 'node:crypto'
import { type Server, createServer } from 'node:net'
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { GatewayConfig } from '../src/app.ts'
import { type FakeUpstream, fakeUpstreamForTest, startFakeUpstream } from './fake-upstream.ts'
import { buildHarness, upstreamsFor } from './gateway-harness.ts'

interface Setup {
  app: Awaited<ReturnType<typeof buildHarness>>['app']
  secret: string
  lines: Array<Record<string, unknown>>
  predict: (payload?: Buffer) => Promise<{ statusCode: number, body: Record<string, unknown>, headers: Record<string, unknown> }>
  clock: { now: number }
  createKey: Awaited<ReturnType<typeof buildHarness>>['createKey']
}

async function setup (replicas: string[], config: Partial<GatewayConfig> = {}): Promise<Setup> {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } })
  const clock = { now: Date.UTC(2026, 10, 30, 12) }
  const harness = await buildHarness(upstreamsFor({ resnet: replicas }), { config, loggerInstance: pino({ level: 'info' }, stream), now: () => clock.now })
  // Every replica starts in rotation, as a health check would leave them: the test decides who fails.
  for (const url of replicas) harness.app.upstreams.setState(url, 'up')
  const { secret } = await harness.createKey({ rateLimitPerMin: 100_000 })
  return {
    app: harness.app,
    secret,
    lines,
    clock,
    createKey: harness.createKey,
    async predict (payload = Buffer.from('image bytes')) {
      const res = await harness.app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'content-type': 'image/jpeg' }, payload })
      return { statusCode: res.statusCode, body: res.json(), headers: res.headers }
    }
  }
}

/** An origin on loopback where nothing listens (a replica that died). */
async function deadReplica (): Promise<string> {
  const fake = await startFakeUpstream()
  await fake.close()
  return fake.url
}

/** A replica that accepts the connection and drops it once the request starts arriving: it may have seen it. */
async function droppingReplica (): Promise<string> {
  const server: Server = createServer((socket) => { socket.once('data', () => socket.destroy()) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => { await new Promise((resolve) => server.close(resolve)) })
  const address = server.address() as { port: number }
  return `http://127.0.0.1:${address.port}`
}

/** A sample's value on /metrics, by its labels as written there (before the registry's own `service`). */
async function metric (s: Setup, name: string, labels: string): Promise<number | undefined> {
  const admin = await s.createKey({ admin: true })
  const text = (await s.app.inject({ url: '/metrics', headers: { 'x-api-key': admin.secret } })).body
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels},`))
  return line === undefined ? undefined : Number(line.split(' ').at(-1))
}

const accessLines = (s: Setup): Array<Record<string, unknown>> => s.lines.filter((l) => l.msg === 'request completed' && l.route === '/model/:id/predict')

describe('retrying a request no replica saw', () => {
  // Over READ_WHOLE_BYTES the body is a stream that starts over; under it, a Buffer sent again.
  it.each([['streamed', 200_000], ['read whole', 2000]])('sends it, body whole (%s), to another replica when the connection to the first is refused, and logs both', async (_how, size) => {
    const dead = await deadReplica()
    const live = await fakeUpstreamForTest()
    const s = await setup([dead, live.url])
    const image = Buffer.alloc(size, 5)
    const res = await s.predict(image)
    expect(res.statusCode).toBe(200)
    expect(live.received).toHaveLength(1)
    expect(live.received[0]).toMatchObject({ bytes: image.length, sha256: createHash('sha256').update(image).digest('hex') })
    expect(accessLines(s).at(-1)).toMatchObject({ statusCode: 200, upstream: live.url, retriedFrom: dead, retryReason: 'ECONNREFUSED', bytesIn: image.length })
    expect(s.app.upstreams.health(dead)).toMatchObject({ state: 'down', reason: 'ECONNREFUSED' })
    // The next requests go to the live replica only, without retries.
    for (let i = 0; i < 3; i++) expect((await s.predict()).statusCode).toBe(200)
    expect(accessLines(s).slice(-3).map((l) => l.retriedFrom)).toEqual([null, null, null])
    expect(s.app.upstreams.inFlight(live.url)).toBe(0)
    expect(s.app.upstreams.inFlight(dead)).toBe(0)
  })

  it('answers 502 when no other replica is up, and retries at most once', async () => {
    const [a, b] = [await deadReplica(), await deadReplica()]
    const s = await setup([a, b])
    const res = await s.predict()
    expect(res.statusCode).toBe(502)
    expect(res.body).toMatchObject({ code: 'UPSTREAM_FAILED' })
    expect(accessLines(s).at(-1)).toMatchObject({ statusCode: 502, retriedFrom: a, upstream: b, errCode: 'UPSTREAM_FAILED' })
    expect(s.app.upstreams.status('resnet')).toBe('down')
    expect((await s.predict()).body).toMatchObject({ code: 'MODEL_UNAVAILABLE' })
  })

  it('never retries once the replica may have seen the request', async () => {
    const dropping = await droppingReplica()
    const live = await fakeUpstreamForTest()
    const s = await setup([dropping, live.url])
    const res = await s.predict(Buffer.alloc(100_000, 1))
    expect(res.statusCode).toBe(502)
    expect(live.received).toHaveLength(0)
    expect(accessLines(s).at(-1)).toMatchObject({ statusCode: 502, upstream: dropping, retriedFrom: null })
  })
})

describe('outlier ejection', () => {
  async function failing (): Promise<{ s: Setup, bad: FakeUpstream, good: FakeUpstream }> {
    const bad = await fakeUpstreamForTest()
    const good = await fakeUpstreamForTest()
    bad.problem = { status: 500, code: 'INTERNAL' }
    const s = await setup([bad.url, good.url], { UPSTREAM_EJECT_AFTER: 3, UPSTREAM_EJECT_MS: 10_000 })
    return { s, bad, good }
  }

  it('takes a replica out after UPSTREAM_EJECT_AFTER failed answers in a row, for longer each time', async () => {
    const { s, bad, good } = await failing()
    // Round robin: every other request meets the bad replica; its third 500 ejects it.
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push((await s.predict()).statusCode)
    expect(statuses).toEqual([500, 200, 500, 200, 500, 200])
    expect(s.app.upstreams.health(bad.url)).toMatchObject({ state: 'down', reason: 'ejected for 10 s after 3 failed answers in a row' })
    for (let i = 0; i < 4; i++) expect((await s.predict()).statusCode).toBe(200)
    expect(bad.received).toHaveLength(3)
    // Health checks leave it out while ejected, though its /readyz is fine; then bring it back.
    await s.app.healthChecker.checkNow()
    expect(s.app.upstreams.health(bad.url)?.state).toBe('down')
    s.clock.now += 10_000
    await s.app.healthChecker.checkNow()
    expect(s.app.upstreams.health(bad.url)?.state).toBe('up')
    // Still failing: the second ejection in a row lasts twice as long.
    for (let i = 0; i < 6; i++) await s.predict()
    expect(s.app.upstreams.health(bad.url)).toMatchObject({ state: 'down', reason: 'ejected for 20 s after 3 failed answers in a row' })
    s.clock.now += 10_000
    await s.app.healthChecker.checkNow()
    expect(s.app.upstreams.health(bad.url)?.state).toBe('down')
    expect(good.received.length).toBeGreaterThan(0)
    expect(await metric(s, 'gateway_upstream_ejections_total', `model="resnet",version="2.0.0",upstream="${bad.url}"`)).toBe(2)
  })

  it('counts neither 503 (load shedding) nor 4xx as failures', async () => {
    const { s, bad } = await failing()
    bad.problem = { status: 503, code: 'OVERLOADED' }
    for (let i = 0; i < 8; i++) await s.predict()
    bad.problem = { status: 400, code: 'IMAGE_INVALID' }
    for (let i = 0; i < 8; i++) await s.predict()
    expect(s.app.upstreams.health(bad.url)?.state).toBe('up')
    expect(bad.received).toHaveLength(8)
  })

  it('counts timeouts as failures', async () => {
    const [slow, good] = [await fakeUpstreamForTest(), await fakeUpstreamForTest()]
    slow.delayMs = 1000
    const s = await setup([slow.url, good.url], { UPSTREAM_EJECT_AFTER: 2, UPSTREAM_TIMEOUT_MS: 200 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await s.predict()).statusCode)
    expect(statuses).toEqual([504, 200, 504, 200])
    expect(s.app.upstreams.health(slow.url)).toMatchObject({ state: 'down', reason: 'ejected for 30 s after 2 failed answers in a row' })
  })

  it('never ejects the last replica up: its callers keep getting its answers', async () => {
    const only = await fakeUpstreamForTest()
    only.problem = { status: 500, code: 'INTERNAL' }
    const s = await setup([only.url], { UPSTREAM_EJECT_AFTER: 2 })
    for (let i = 0; i < 5; i++) expect((await s.predict()).statusCode).toBe(500)
    expect(s.app.upstreams.health(only.url)?.state).toBe('up')
  })
})

describe('the circuit breaker', () => {
  it('refuses at once with 503 MODEL_OVERLOADED when every replica has UPSTREAM_MAX_IN_FLIGHT requests', async () => {
    const [a, b] = [await fakeUpstreamForTest(), await fakeUpstreamForTest()]
    a.delayMs = b.delayMs = 400
    const s = await setup([a.url, b.url], { UPSTREAM_MAX_IN_FLIGHT: 2 })
    const answers = await Promise.all(Array.from({ length: 6 }, async () => await s.predict()))
    const overloaded = answers.filter((r) => r.statusCode === 503)
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(4)
    expect(overloaded).toHaveLength(2)
    expect(overloaded[0]!.body).toMatchObject({ code: 'MODEL_OVERLOADED', status: 503 })
    expect(overloaded[0]!.headers['retry-after']).toBe('1')
    expect(await metric(s, 'gateway_overloaded_total', 'model="resnet"')).toBe(2)
    expect(a.received).toHaveLength(2)
    expect(b.received).toHaveLength(2)
    // Answered: the replicas take requests again.
    expect(s.app.upstreams.inFlight(a.url) + s.app.upstreams.inFlight(b.url)).toBe(0)
    expect((await s.predict()).statusCode).toBe(200)
  })

  it('frees a replica\'s place when the caller leaves before the answer', async () => {
    const slow = await fakeUpstreamForTest()
    slow.delayMs = 300
    const s = await setup([slow.url], { UPSTREAM_MAX_IN_FLIGHT: 1 })
    const address = await s.app.listen({ host: '127.0.0.1', port: 0 })
    const controller = new AbortController()
    const leaving = fetch(`${address}/model/resnet/predict`, { method: 'POST', headers: { 'x-api-key': s.secret, 'content-type': 'image/jpeg' }, body: 'x', signal: controller.signal })
    await expect.poll(() => s.app.upstreams.inFlight(slow.url)).toBe(1)
    controller.abort()
    await expect(leaving).rejects.toThrow()
    await expect.poll(() => s.app.upstreams.inFlight(slow.url)).toBe(0)
    expect((await s.predict()).statusCode).toBe(200)
  })
})
