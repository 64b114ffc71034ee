import { describe, expect, it } from 'vitest'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness, upstreamsFor } from './gateway-harness.ts'

describe('GET /models', () => {
  it('lists every model with its services\' metadata and status, without a key', async () => {
    const resnet = await fakeUpstreamForTest({ id: 'resnet', version: '2.0.0' })
    const mobilenet = await fakeUpstreamForTest({ id: 'mobilenet', version: '1.0.0' })
    mobilenet.ready = false
    const { app } = await buildHarness(upstreamsFor({ resnet: [resnet.url], mobilenet: [mobilenet.url] }))
    const res = await app.inject({ method: 'GET', url: '/models' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      models: [
        { id: 'resnet', name: 'resnet fake', version: '2.0.0', classes: 10, input: { width: 32, height: 32 }, status: 'ready' },
        { id: 'mobilenet', version: '2.0.0', status: 'down' }
      ]
    })
  })

  it('describes one model, and answers 404 MODEL_NOT_FOUND with the known ids', async () => {
    const fake = await fakeUpstreamForTest()
    const { app } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const one = await app.inject({ method: 'GET', url: '/models/resnet' })
    expect(one.json()).toMatchObject({ id: 'resnet', status: 'ready', classes: 10 })
    const missing = await app.inject({ method: 'GET', url: '/models/vgg' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ code: 'MODEL_NOT_FOUND', status: 404, knownModels: ['resnet'] })
  })

  it('shows a model as down once its replica stops answering', async () => {
    const fake = await fakeUpstreamForTest()
    const { app } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    await fake.close()
    await app.healthChecker.checkNow()
    const res = await app.inject({ method: 'GET', url: '/models/resnet' })
    expect(res.json()).toMatchObject({ id: 'resnet', status: 'down', name: 'resnet fake' })
  })
})

describe('health', () => {
  it('is alive and ready with a working key store, whatever the replicas do', async () => {
    const fake = await fakeUpstreamForTest()
    fake.ready = false
    const { app } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' })
  })
})
