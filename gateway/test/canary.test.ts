import { describe, expect, it } from 'vitest'
import type { UpstreamsFile } from '../src/config.ts'
import { createTargetChooser } from '../src/routing/choose-target.ts'
import { UpstreamRegistry } from '../src/upstreams/registry.ts'
import { type FakeUpstream, fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness, routed } from './gateway-harness.ts'

/** A seeded PRNG (mulberry32): the draws are the same on every run. */
function seeded (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function canaryFile (stable: string, canary: string, weight: number): UpstreamsFile {
  return { models: { resnet: { stable: { version: '2.0.0', replicas: [stable] }, canary: { version: '1.0.0', replicas: [canary], weight } } } }
}

async function setup (weight: number, opts: { canaryReady?: boolean } = {}): Promise<{ secret: string, stable: FakeUpstream, canary: FakeUpstream, app: Awaited<ReturnType<typeof buildHarness>>['app'] }> {
  const stable = await fakeUpstreamForTest({ version: '2.0.0' })
  const canary = await fakeUpstreamForTest({ version: '1.0.0' })
  canary.ready = opts.canaryReady ?? true
  const harness = await buildHarness(canaryFile(stable.url, canary.url, weight), { chooseTarget: createTargetChooser({ random: seeded(7) }) })
  const { secret } = await harness.createKey()
  return { secret, stable, canary, app: harness.app }
}

const body = { url: 'http://127.0.0.1:1/cat.jpg' }

describe('canary routing', () => {
  it('sends the canary its weight in percent of the draws, and never with weight 0', () => {
    const registry = new UpstreamRegistry(canaryFile('http://127.0.0.1:1', 'http://127.0.0.1:2', 30))
    registry.setState('http://127.0.0.1:2', 'up')
    const choose = createTargetChooser({ random: seeded(1) })
    const request = { headers: {} } as Parameters<typeof choose>[0]
    const tracks = Array.from({ length: 10_000 }, () => routed(choose(request, 'resnet', registry))?.track)
    const share = tracks.filter((t) => t === 'canary').length / tracks.length
    // sd of the share over 10 000 draws is 0.46 points: 2 points is over four of them.
    expect(share).toBeGreaterThan(0.28)
    expect(share).toBeLessThan(0.32)
    registry.update(canaryFile('http://127.0.0.1:1', 'http://127.0.0.1:2', 0))
    expect(Array.from({ length: 1000 }, () => routed(choose(request, 'resnet', registry))?.track)).not.toContain('canary')
  })

  it('answers with x-model-version and the canary\'s own answer for its share', async () => {
    const { app, secret, stable, canary } = await setup(100)
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-model-version']).toBe('1.0.0')
    expect(res.json()).toMatchObject({ model: { version: '1.0.0' } })
    expect([stable.received.length, canary.received.length]).toEqual([0, 1])
  })

  it('sends a canary that is not ready nothing, even at weight 100', async () => {
    const { app, secret, stable, canary } = await setup(100, { canaryReady: false })
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
      expect(res.headers['x-model-version']).toBe('2.0.0')
    }
    expect([stable.received.length, canary.received.length]).toEqual([5, 0])
  })

  it('sends x-model-version on a service\'s problem too', async () => {
    const { app, secret, stable } = await setup(0)
    stable.problem = { status: 422, code: 'IMAGE_UNDECODABLE' }
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: body })
    expect(res.json()).toMatchObject({ status: 422, code: 'IMAGE_UNDECODABLE' })
    expect(res.headers['x-model-version']).toBe('2.0.0')
  })
})

describe('version pinning with x-model-version', () => {
  it('routes to the pinned version, whatever the weight', async () => {
    const { app, secret, stable, canary } = await setup(0)
    const pinned = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'x-model-version': '1.0.0' }, payload: body })
    expect(pinned.headers['x-model-version']).toBe('1.0.0')
    const stablePinned = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'x-model-version': '2.0.0' }, payload: body })
    expect(stablePinned.headers['x-model-version']).toBe('2.0.0')
    expect([stable.received.length, canary.received.length]).toEqual([1, 1])
  })

  it('answers 404 MODEL_VERSION_NOT_FOUND with the known versions for an unknown one', async () => {
    const { app, secret, stable, canary } = await setup(50)
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'x-model-version': '3.0.0' }, payload: body })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ status: 404, code: 'MODEL_VERSION_NOT_FOUND', knownVersions: ['2.0.0', '1.0.0'] })
    expect(res.headers['x-model-version']).toBeUndefined()
    expect(stable.received.length + canary.received.length).toBe(0)
  })

  it('answers 503 MODEL_UNAVAILABLE when the pinned version has no replica up', async () => {
    const { app, secret } = await setup(0, { canaryReady: false })
    const res = await app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { 'x-api-key': secret, 'x-model-version': '1.0.0' }, payload: body })
    expect(res.json()).toMatchObject({ status: 503, code: 'MODEL_UNAVAILABLE' })
  })
})
