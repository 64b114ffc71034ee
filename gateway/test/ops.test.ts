import { describe, expect, it } from 'vitest'
import Value from 'typebox/value'
import { addLatency, createHistogram, quantile } from '../src/ops/latency-histogram.ts'
import { OpsWindow } from '../src/ops/ops-window.ts'
import { OpsSummarySchema } from '../src/ops/summary.ts'
import { createTargetChooser } from '../src/routing/choose-target.ts'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness } from './gateway-harness.ts'

// 2026-01-01T00:00:00Z, on a 10 s boundary.
const T0 = Date.UTC(2026, 0, 1)

describe('the latency histogram', () => {
  it('gives percentiles within half a bin (about 7%) of the exact ones', () => {
    const h = createHistogram()
    const values = Array.from({ length: 1000 }, (_, i) => 1 + i * 0.2)
    for (const v of values) addLatency(h, v)
    for (const [q, exact] of [[0.5, 100.8], [0.95, 190.8], [0.99, 198.8]] as const) {
      expect(Math.abs(quantile(h, q)! - exact) / exact).toBeLessThan(0.075)
    }
    expect(quantile(createHistogram(), 0.5)).toBeNull()
  })

  it('is exact for a single value, and keeps a bounded size whatever it holds', () => {
    const h = createHistogram()
    addLatency(h, 12.34)
    expect(quantile(h, 0.99)).toBe(12.34)
    addLatency(h, 1e9)
    addLatency(h, -1)
    expect(h.bins.length).toBeLessThan(200)
    expect(h.count).toBe(3)
  })
})

describe('the ops window', () => {
  it('keeps 10 s buckets over 300 s: counts, 5xx error rate, 429s, p95 per bucket', () => {
    let now = T0
    const window = new OpsWindow(() => now)
    now = T0 + 5000
    for (let i = 0; i < 8; i++) window.record('resnet', { statusCode: 200, latencyMs: 10 })
    window.record('resnet', { statusCode: 503, latencyMs: 40 })
    window.record('resnet', { statusCode: 429 })
    window.record('resnet', { statusCode: 422, latencyMs: 5 })
    now = T0 + 25_000
    window.record('resnet', { statusCode: 200, latencyMs: 30 })
    now = T0 + 30_000
    const s = window.summarize('resnet')
    expect(s).toMatchObject({ requests: 12, rateLimited: 1, errorRate: 0.0833, requestsPerSecond: 0.4 })
    expect(s.series).toHaveLength(30)
    expect(s.series.at(-1)).toEqual({ t: T0 / 1000 + 30, requests: 0, errors: 0, rateLimited: 0, p95Ms: null })
    expect(s.series.at(-4)).toEqual({ t: T0 / 1000, requests: 11, errors: 1, rateLimited: 1, p95Ms: 40 })
    expect(s.series.at(-2)).toMatchObject({ t: T0 / 1000 + 20, requests: 1, p95Ms: 30 })
    expect(Math.abs(s.latencyMs.p50! - 10)).toBeLessThan(0.75)
    expect(s.latencyMs.p99).toBe(40)
  })

  it('forgets buckets older than the window and reuses their slots', () => {
    let now = T0
    const window = new OpsWindow(() => now)
    window.record('resnet', { statusCode: 500, latencyMs: 1 })
    now = T0 + 300_000
    window.record('resnet', { statusCode: 200, latencyMs: 2 })
    const s = window.summarize('resnet')
    expect(s).toMatchObject({ requests: 1, errorRate: 0 })
    expect(s.series[0]!.t).toBe(T0 / 1000 + 10)
    expect(window.summarize('mobilenet')).toMatchObject({ requests: 0, requestsPerSecond: 0, errorRate: 0, latencyMs: { p50: null, p95: null, p99: null } })
  })
})

describe('GET /ops/summary', () => {
  async function setup (): Promise<Awaited<ReturnType<typeof buildHarness>> & { stableUrl: string, canaryUrl: string }> {
    const stable = await fakeUpstreamForTest({ version: '2.0.0' })
    const canary = await fakeUpstreamForTest({ version: '1.0.0' })
    canary.ready = false
    const harness = await buildHarness({
      models: {
        resnet: { stable: { version: '2.0.0', replicas: [stable.url] }, canary: { version: '1.0.0', replicas: [canary.url], weight: 10 } },
        mobilenet: { stable: { version: '1.0.0', replicas: [stable.url] } }
      }
    }, { chooseTarget: createTargetChooser({ random: () => 0.99 }) })
    return { ...harness, stableUrl: stable.url, canaryUrl: canary.url }
  }

  it('refuses a request without a credential (401) and a key that is not admin (403)', async () => {
    const { app, createKey } = await setup()
    expect((await app.inject({ url: '/ops/summary' })).json()).toMatchObject({ status: 401, code: 'AUTH_REQUIRED' })
    const { secret } = await createKey()
    const res = await app.inject({ url: '/ops/summary', headers: { authorization: `Bearer ${secret}` } })
    expect(res.json()).toMatchObject({ status: 403, code: 'ADMIN_REQUIRED' })
  })

  it('summarizes each model\'s traffic with its versions, canary weight and replica health', async () => {
    const { app, createKey, stableUrl, canaryUrl } = await setup()
    const { secret } = await createKey()
    const admin = await createKey({ admin: true })
    for (let i = 0; i < 4; i++) await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: {} })
    const res = await app.inject({ url: '/ops/summary', headers: { 'x-api-key': admin.secret } })
    expect(res.statusCode).toBe(200)
    const summary = res.json()
    expect(Value.Check(OpsSummarySchema, summary)).toBe(true)
    expect(summary.windowSeconds).toBe(300)
    expect(Date.parse(summary.generatedAt)).toBeGreaterThan(Date.now() - 60_000)
    const [resnet, mobilenet] = summary.models
    expect(resnet).toMatchObject({
      id: 'resnet',
      requests: 4,
      errorRate: 0,
      rateLimited: 0,
      stable: { version: '2.0.0', replicas: [{ url: stableUrl, healthy: true }] },
      canary: { version: '1.0.0', weight: 10, replicas: [{ url: canaryUrl, healthy: false }] }
    })
    expect(resnet.latencyMs.p50).toBeGreaterThan(0)
    expect(resnet.series).toHaveLength(30)
    expect(resnet.series.reduce((n: number, p: { requests: number }) => n + p.requests, 0)).toBe(4)
    expect(mobilenet).toMatchObject({ id: 'mobilenet', requests: 0, canary: null, latencyMs: { p50: null } })
  })

  it('is described in /openapi.json', async () => {
    const { app } = await setup()
    const doc = (await app.inject({ url: '/openapi.json' })).json()
    const op = doc.paths['/ops/summary'].get
    const schema = op.responses['200'].content['application/json'].schema
    expect(schema.properties.models.items.properties).toHaveProperty('canary')
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']))
  })
})
