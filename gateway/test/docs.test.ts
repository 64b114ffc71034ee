import { describe, expect, it } from 'vitest'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness, upstreamsFor } from './gateway-harness.ts'

describe('OpenAPI and docs', () => {
  it('documents predict (with its problems) and the model routes in /openapi.json', async () => {
    const fake = await fakeUpstreamForTest()
    const { app } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const res = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const spec = res.json()
    expect(spec.openapi).toBe('3.1.0')
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/model/{id}/predict', '/models', '/models/{id}']))
    expect(spec.paths['/model/{id}/predict/']).toBeUndefined()
    const predict = spec.paths['/model/{id}/predict'].post
    expect(Object.keys(predict.requestBody.content)).toEqual(['application/json', 'image/*', 'multipart/form-data'])
    for (const status of ['401', '403', '404', '413', '502', '503', '504']) {
      expect(predict.responses[status].content['application/problem+json'].schema.properties.code).toBeDefined()
    }
    expect(predict.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path' }), expect.objectContaining({ name: 'topk', in: 'query' })]))
    expect(spec.paths['/models/{id}'].get.responses['404'].content['application/problem+json']).toBeDefined()
    expect(spec.components.securitySchemes).toHaveProperty('bearer')
  })

  it('serves the docs page at /docs', async () => {
    const fake = await fakeUpstreamForTest()
    const { app } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const res = await app.inject({ method: 'GET', url: '/docs/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
  })

  it('answers unknown routes with a problem', async () => {
    const fake = await fakeUpstreamForTest()
    const { app } = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    const res = await app.inject({ method: 'GET', url: '/model/resnet/predict' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ status: 404 })
  })
})
