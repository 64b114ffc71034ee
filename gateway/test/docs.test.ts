import { createConfig, lintFromString } from '@redocly/openapi-core'
import { describe, expect, it } from 'vitest'
import { openApiDocument } from '../src/openapi-document.ts'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness, upstreamsFor } from './gateway-harness.ts'
import { sessionGateway } from './session-harness.ts'

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

  it('passes `redocly lint` (recommended rules) with no error, and only the warnings docs/client.md explains', async () => {
    const { app } = await sessionGateway()
    const spec = await app.inject({ url: '/openapi.json', headers: { host: 'gateway.internal:8080' } })
    const problems = await lintFromString({ source: spec.body, absoluteRef: 'openapi.json', config: await createConfig({ extends: ['recommended'] }) })
    const found = problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}`)
    // The probes take no input and no credential and are never limited: they have no 4xx to document.
    expect(found.sort()).toEqual(['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready']
      .map((path) => `warn operation-4xx-response #/paths/${path.replaceAll('/', '~1')}/get/responses`))
  })

  it('gives as `servers` the address the client used, through a trusted proxy too', async () => {
    const fake = await fakeUpstreamForTest()
    const direct = await buildHarness(upstreamsFor({ resnet: [fake.url] }))
    expect((await direct.app.inject({ url: '/openapi.json', headers: { host: '127.0.0.1:8080' } })).json().servers).toEqual([{ url: 'http://127.0.0.1:8080' }])
    const proxied = await buildHarness(upstreamsFor({ resnet: [fake.url] }), { config: { TRUST_PROXY: true } })
    const spec = (await proxied.app.inject({ url: '/openapi.json', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.modelgate.dev' } })).json()
    expect(spec.servers).toEqual([{ url: 'https://api.modelgate.dev' }])
  })

  it('names every operation for SDK generators and says which are public (openApiDocument, as served)', async () => {
    const spec = await openApiDocument() as { paths: Record<string, Record<string, { operationId: string, security: unknown[] }>> }
    const operations = Object.entries(spec.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, ...op })))
    expect(Object.fromEntries(operations.map((op) => [op.operationId, `${op.method.toUpperCase()} ${op.path}`]))).toEqual({
      classify: 'POST /model/{id}/predict',
      listModels: 'GET /models',
      getModel: 'GET /models/{id}',
      createSession: 'POST /auth/session',
      getOpsSummary: 'GET /ops/summary',
      getMetrics: 'GET /metrics',
      getHealth: 'GET /healthz',
      getReadiness: 'GET /readyz',
      v2ServerLive: 'GET /v2/health/live',
      v2ServerReady: 'GET /v2/health/ready',
      v2ServerMetadata: 'GET /v2',
      v2ModelMetadata: 'GET /v2/models/{model}',
      v2ModelVersionMetadata: 'GET /v2/models/{model}/versions/{version}',
      v2ModelReady: 'GET /v2/models/{model}/ready',
      v2ModelVersionReady: 'GET /v2/models/{model}/versions/{version}/ready',
      v2Infer: 'POST /v2/models/{model}/infer',
      v2InferVersion: 'POST /v2/models/{model}/versions/{version}/infer'
    })
    const publicOnes = operations.filter((op) => op.security.length === 0).map((op) => op.operationId).sort()
    expect(publicOnes).toEqual(['createSession', 'getHealth', 'getModel', 'getReadiness', 'listModels', 'v2ServerLive', 'v2ServerMetadata', 'v2ServerReady'])
    for (const op of operations.filter((o) => o.security.length > 0)) expect(op.security).toEqual([{ bearer: [] }, { apiKey: [] }])
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
