import { describe, expect, it } from 'vitest'
import { createTargetChooser } from '../src/routing/choose-target.ts'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness } from './gateway-harness.ts'

async function setup (): Promise<Awaited<ReturnType<typeof buildHarness>> & { stable: Awaited<ReturnType<typeof fakeUpstreamForTest>> }> {
  const stable = await fakeUpstreamForTest({ version: '2.0.0' })
  const canary = await fakeUpstreamForTest({ version: '1.0.0' })
  const harness = await buildHarness({
    models: { resnet: { stable: { version: '2.0.0', replicas: [stable.url, 'http://127.0.0.1:9'] }, canary: { version: '1.0.0', replicas: [canary.url], weight: 40 } } }
  }, { chooseTarget: createTargetChooser({ random: () => 0.5 }) })
  return { ...harness, stable }
}

const predict = { method: 'POST' as const, url: '/model/resnet/predict', payload: { url: 'http://127.0.0.1:1/cat.jpg' } }

/** The value of one sample line of the Prometheus text, e.g. `name{a="b"}`. */
function sample (text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('GET /metrics', () => {
  it('refuses a request without a credential (401) and a key that is not admin (403)', async () => {
    const { app, createKey } = await setup()
    const anonymous = await app.inject({ url: '/metrics' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json()).toMatchObject({ status: 401, code: 'AUTH_REQUIRED' })
    const { secret } = await createKey()
    const user = await app.inject({ url: '/metrics', headers: { 'x-api-key': secret } })
    expect(user.json()).toMatchObject({ status: 403, code: 'ADMIN_REQUIRED' })
    expect(user.body).not.toContain('gateway_requests_total')
  })

  it('counts requests by model, status and principal type, routed ones by version, and 429s', async () => {
    const { app, createKey, stable } = await setup()
    const { secret } = await createKey()
    const admin = await createKey({ admin: true })
    const pinned = { 'x-api-key': secret, 'x-model-version': '1.0.0' }
    for (let i = 0; i < 3; i++) await app.inject({ ...predict, headers: { 'x-api-key': secret } })
    await app.inject({ ...predict, headers: pinned })
    stable.problem = { status: 429, code: 'RATE_LIMITED' }
    await app.inject({ ...predict, headers: { 'x-api-key': secret } })
    await app.inject({ ...predict, headers: {} })
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${admin.secret}` } })
    expect(res.statusCode).toBe(200)
    const text = res.body
    expect(sample(text, 'gateway_requests_total', { model: 'resnet', status: '200', principal_type: 'key' })).toBe(4)
    expect(sample(text, 'gateway_requests_total', { model: 'resnet', status: '429', principal_type: 'key' })).toBe(1)
    expect(sample(text, 'gateway_requests_total', { model: 'resnet', status: '401', principal_type: 'anonymous' })).toBe(1)
    // random() = 0.5 never falls under weight 40: only the pinned request reached the canary.
    expect(sample(text, 'gateway_routed_requests_total', { model: 'resnet', version: '2.0.0', track: 'stable' })).toBe(4)
    expect(sample(text, 'gateway_routed_requests_total', { model: 'resnet', version: '1.0.0', track: 'canary' })).toBe(1)
    expect(sample(text, 'gateway_rate_limited_total', { model: 'resnet', principal_type: 'key' })).toBe(1)
    expect(sample(text, 'gateway_request_duration_seconds_count', { model: 'resnet', version: '2.0.0' })).toBe(4)
    expect(sample(text, 'gateway_upstream_duration_seconds_count', { model: 'resnet', version: '1.0.0' })).toBe(1)
    expect(sample(text, 'gateway_canary_weight_percent', { model: 'resnet', version: '1.0.0' })).toBe(40)
  })

  it('shows each replica\'s health from the checks', async () => {
    const { app, createKey, stable } = await setup()
    const admin = await createKey({ admin: true })
    const text = (await app.inject({ url: '/metrics', headers: { 'x-api-key': admin.secret } })).body
    expect(sample(text, 'gateway_upstream_up', { model: 'resnet', track: 'stable', upstream: stable.url })).toBe(1)
    expect(sample(text, 'gateway_upstream_up', { model: 'resnet', track: 'stable', upstream: 'http://127.0.0.1:9' })).toBe(0)
    expect(sample(text, 'gateway_upstream_up', { model: 'resnet', track: 'canary', version: '1.0.0' })).toBe(1)
  })
})
