import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { GatewayConfig } from '../src/app.ts'
import type { UpstreamsFile } from '../src/config.ts'
import { compareAnswers } from '../src/shadow/compare.ts'
import { ShadowWindow } from '../src/shadow/shadow-window.ts'
import { type FakeUpstream, fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness } from './gateway-harness.ts'

const TOKEN = 's'.repeat(40)
const answer = (...labels: Array<[string, number]>): { predictions: Array<{ label: string, probability: number }>, timing: { totalMs: number } } =>
  ({ predictions: labels.map(([label, probability]) => ({ label, probability })), timing: { totalMs: 4 } })

describe('comparing two answers', () => {
  it('compares classes by label: top-1, the share of the top 5 both hold, and the top-1 probability gap', () => {
    const primary = answer(['cat', 0.8], ['lynx', 0.1], ['dog', 0.05], ['fox', 0.02], ['owl', 0.01])
    const shadow = answer(['cat', 0.6], ['dog', 0.2], ['tiger', 0.1], ['owl', 0.05], ['bee', 0.01])
    expect(compareAnswers(primary, shadow)).toMatchObject({ top1Agrees: true, top5Overlap: 3 / 5, absTop1ProbabilityDelta: expect.closeTo(0.2, 9) as number })
    // Answers cut short (a caller's ?topK=2) compare over what both hold.
    expect(compareAnswers(primary, answer(['dog', 0.5], ['cat', 0.4]))).toMatchObject({ top1Agrees: false, top5Overlap: 1 / 2, absTop1ProbabilityDelta: expect.closeTo(0.3, 9) as number })
  })
})

describe('the shadow window', () => {
  it('sums what it recorded over the last five minutes, and forgets what is older', () => {
    let now = Date.UTC(2026, 0, 1)
    const window = new ShadowWindow(() => now)
    const agree = compareAnswers(answer(['cat', 0.9]), answer(['cat', 0.7]))
    const differ = compareAnswers(answer(['cat', 0.9]), answer(['dog', 0.8]))
    window.record('resnet', 'compared', agree)
    window.record('resnet', 'compared', differ)
    window.record('resnet', 'skipped')
    now += 60_000
    window.record('resnet', 'failed')
    expect(window.summarize('resnet')).toMatchObject({ sampled: 4, compared: 2, skipped: 1, failed: 1, top1Agreement: 0.5, top5Overlap: 0.5, meanAbsTop1ProbabilityDelta: 0.15 })
    now += 250_000
    expect(window.summarize('resnet')).toMatchObject({ sampled: 1, compared: 0, failed: 1, top1Agreement: null })
    expect(window.summarize('mobilenet')).toMatchObject({ sampled: 0, top1Agreement: null })
  })
})

interface Setup {
  app: Awaited<ReturnType<typeof buildHarness>>['app']
  secret: string
  admin: string
  primary: FakeUpstream
  shadow: FakeUpstream
  lines: Array<Record<string, unknown>>
  file: (shadow: Record<string, unknown> | undefined) => UpstreamsFile
}

async function setup (shadowPercent = 100, config: Partial<GatewayConfig> = {}): Promise<Setup> {
  const primary = await fakeUpstreamForTest({ id: 'resnet' })
  const shadow = await fakeUpstreamForTest({ id: 'resnet-int8', version: '1.0.0' })
  const file = (spec: Record<string, unknown> | undefined): UpstreamsFile => ({
    models: {
      resnet: { stable: { version: '2.0.0', replicas: [primary.url] }, ...(spec === undefined ? {} : { shadow: spec }) },
      'resnet-int8': { stable: { version: '1.0.0', replicas: [shadow.url] } }
    }
  } as UpstreamsFile)
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } })
  const harness = await buildHarness(file({ model: 'resnet-int8', percent: shadowPercent }), { serviceToken: TOKEN, config, loggerInstance: pino({ level: 'info' }, stream) })
  const { secret } = await harness.createKey({ rateLimitPerMin: 100_000 })
  const admin = (await harness.createKey({ admin: true })).secret
  return { app: harness.app, secret, admin, primary, shadow, lines, file }
}

async function predict (s: Setup, payload: Buffer | string = 'image bytes'): Promise<{ statusCode: number, body: string, requestId: string }> {
  const res = await s.app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': s.secret, 'content-type': 'image/jpeg' }, payload })
  return { statusCode: res.statusCode, body: res.body, requestId: String(res.headers['x-request-id']) }
}

async function shadowSummary (s: Setup): Promise<Record<string, unknown> | null> {
  const res = await s.app.inject({ url: '/ops/summary', headers: { 'x-api-key': s.admin } })
  return (res.json() as { models: Array<{ id: string, shadow: Record<string, unknown> | null }> }).models.find((m) => m.id === 'resnet')!.shadow
}

/** Shadow requests leave after the response: waits until `sampled` requests are accounted for. */
async function settled (s: Setup, sampled: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000
  for (;;) {
    const summary = await shadowSummary(s)
    if ((summary?.sampled === sampled && s.lines.filter((l) => l.shadowOf !== undefined).length >= Number(summary.compared) + Number(summary.failed)) || Date.now() > deadline) return summary!
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('shadow traffic', () => {
  it('answers with the primary, then mirrors the same bytes to the shadow with its own request id and the service token', async () => {
    const s = await setup()
    s.shadow.predictions = [{ label: 'dog', index: 5, probability: 0.7 }]
    const image = Buffer.alloc(300_000, 7)
    const res = await predict(s, image)
    expect(res.statusCode).toBe(200)
    expect(JSON.parse(res.body)).toMatchObject({ model: { id: 'resnet', version: '2.0.0' }, predictions: [{ label: 'cat' }] })
    expect(await settled(s, 1)).toEqual({
      target: 'resnet-int8',
      percent: 100,
      sampled: 1,
      compared: 1,
      skipped: 0,
      failed: 0,
      top1Agreement: 0,
      top5Overlap: 0,
      meanAbsTop1ProbabilityDelta: 0.2,
      latencyMs: { primary: { p50: expect.any(Number), p95: expect.any(Number) }, shadow: { p50: expect.any(Number), p95: expect.any(Number) } }
    })
    const [sent] = s.shadow.received
    expect(sent).toMatchObject({ bytes: image.length, sha256: s.primary.received[0]!.sha256 })
    expect(sent!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'content-type': 'image/jpeg' })
    expect(sent!.headers['x-api-key']).toBeUndefined()
    expect(sent!.headers['x-request-id']).not.toBe(res.requestId)
    const line = s.lines.find((l) => l.msg === 'shadow request completed')
    expect(line).toMatchObject({ reqId: sent!.headers['x-request-id'], shadowOf: res.requestId, shadowTarget: 'resnet-int8', modelId: 'resnet-int8', upstream: s.shadow.url, statusCode: 200, outcome: 'compared', top1Agrees: false, bytesIn: image.length })
    expect(JSON.stringify(s.lines)).not.toContain(s.secret)
    expect(JSON.stringify(s.lines)).not.toContain(TOKEN)
    const metrics = (await s.app.inject({ url: '/metrics', headers: { 'x-api-key': s.admin } })).body
    expect(metrics).toContain('gateway_shadow_requests_total{model="resnet",target="resnet-int8",outcome="compared",service="gateway"} 1')
    expect(metrics).toContain('gateway_shadow_top1_agreements_total{model="resnet",target="resnet-int8",service="gateway"} 0')
    expect(metrics).toMatch(/gateway_shadow_service_duration_seconds_count\{[^}]*target="resnet-int8",side="shadow"[^}]*\} 1\n/)
    // Every gateway metric the Grafana dashboard reads is one the gateway has.
    const dashboard = readFileSync(new URL('../../infra/compose/grafana/dashboards/modelgate.json', import.meta.url), 'utf8')
    const names = new Set([...dashboard.matchAll(/\b(gateway_\w+?)(?:_bucket)?\{/g)].map((m) => m[1]!))
    expect([...names]).toEqual(expect.arrayContaining(['gateway_shadow_requests_total', 'gateway_shadow_service_duration_seconds']))
    for (const name of names) expect(metrics, name).toContain(`# TYPE ${name} `)
  })

  it('mirrors about its percent of the traffic', async () => {
    const s = await setup(25)
    for (let i = 0; i < 400; i++) expect((await predict(s)).statusCode).toBe(200)
    // Binomial(400, 0.25): mean 100, sd 8.7; five sd either side.
    const { sampled } = await settled(s, s.shadow.received.length)
    expect(sampled).toBe(s.shadow.received.length)
    expect(sampled).toBeGreaterThanOrEqual(100 - 43)
    expect(sampled).toBeLessThanOrEqual(100 + 43)
  })

  it('skips a body over SHADOW_MAX_BODY_BYTES, a failed primary and samples past SHADOW_MAX_IN_FLIGHT', async () => {
    const s = await setup(100, { SHADOW_MAX_BODY_BYTES: 1000, SHADOW_MAX_IN_FLIGHT: 1 })
    expect((await predict(s, Buffer.alloc(1001))).statusCode).toBe(200)
    s.primary.problem = { status: 422, code: 'IMAGE_UNDECODABLE' }
    expect((await predict(s)).statusCode).toBe(422)
    s.primary.problem = undefined
    expect(s.shadow.received).toEqual([])
    s.shadow.delayMs = 500
    const answers = await Promise.all([predict(s), predict(s), predict(s)])
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200])
    expect(await settled(s, 5)).toMatchObject({ sampled: 5, compared: 1, skipped: 4, failed: 0 })
    expect(s.shadow.received.length).toBe(1)
  })

  it('only counts a shadow that fails, times out, answers 429 or nonsense or is down, and never counts it against the caller', async () => {
    const s = await setup(100, { UPSTREAM_TIMEOUT_MS: 300 })
    const failures: Array<() => Promise<void>> = [
      async () => { s.shadow.problem = { status: 429, code: 'RATE_LIMITED' } },
      async () => { s.shadow.problem = { status: 500, code: 'INFERENCE_FAILED' } },
      async () => { s.shadow.problem = undefined; s.shadow.delayMs = 1000 },
      // An answer too large to be a predict answer (over 1 MiB) is not read to its end.
      async () => { s.shadow.delayMs = 0; s.shadow.predictions = Array.from({ length: 30_000 }, (_, i) => ({ label: `class ${i}`, index: i, probability: 0 })) },
      async () => { await s.shadow.close() }
    ]
    for (const [i, fail] of failures.entries()) {
      await fail()
      expect((await predict(s)).statusCode).toBe(200)
      await settled(s, i + 1)
    }
    expect(await settled(s, 5)).toMatchObject({ sampled: 5, compared: 0, failed: 5, top1Agreement: null })
    const outcomes = s.lines.filter((l) => l.shadowOf !== undefined).map((l) => [l.statusCode, l.errCode])
    expect(outcomes).toEqual([[429, 'RATE_LIMITED'], [500, 'INFERENCE_FAILED'], [0, 'SHADOW_TIMEOUT'], [200, 'SHADOW_ANSWER_INVALID'], [0, 'SHADOW_UNREACHABLE']])
    const usage = (await s.app.inject({ url: '/ops/summary', headers: { 'x-api-key': s.admin } })).json() as { models: Array<{ id: string, requests: number }> }
    expect(usage.models.map((m) => [m.id, m.requests])).toEqual([['resnet', 5], ['resnet-int8', 0]])
  })

  it('mirrors to a candidate version of the same model that serves nobody', async () => {
    const s = await setup()
    const candidate = await fakeUpstreamForTest({ id: 'resnet', version: '2.1.0' })
    s.app.upstreams.update(s.file({ version: '2.1.0', replicas: [candidate.url], percent: 100 }))
    // Its replica is health-checked like any other (a reload runs a round) before it gets a request.
    expect(s.app.upstreams.pickShadow('resnet')).toBeUndefined()
    await s.app.healthChecker.checkNow()
    for (let i = 0; i < 3; i++) expect(JSON.parse((await predict(s)).body)).toMatchObject({ model: { version: '2.0.0' } })
    expect(await settled(s, 3)).toMatchObject({ target: 'resnet@2.1.0', compared: 3, top1Agreement: 1 })
    expect([s.primary.received.length, candidate.received.length, s.shadow.received.length]).toEqual([3, 3, 0])
  })

  it('stops mirroring as soon as a reload removes the shadow', async () => {
    const s = await setup()
    expect((await predict(s)).statusCode).toBe(200)
    await settled(s, 1)
    s.app.upstreams.update(s.file(undefined))
    for (let i = 0; i < 5; i++) expect((await predict(s)).statusCode).toBe(200)
    expect(s.shadow.received.length).toBe(1)
    expect(await shadowSummary(s)).toBeNull()
  })
})
