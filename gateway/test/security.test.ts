import { describe, expect, it } from 'vitest'
import { CORS_EXPOSED_HEADERS, parseCorsOrigins } from '../src/plugins/security.ts'
import { sessionGateway } from './session-harness.ts'

const UI = 'http://ui.modelgate.test:5173'

function expectSecurityHeaders (headers: Record<string, unknown>): void {
  expect(headers['content-security-policy']).toMatch(/default-src 'self'/)
  expect(headers).toMatchObject({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin'
  })
  expect(headers['strict-transport-security']).toMatch(/max-age=\d+/)
  expect(headers['x-powered-by']).toBeUndefined()
}

describe('security headers (@fastify/helmet)', () => {
  it('are on every answer: JSON, problems (401, 404, 429) and the session route', async () => {
    const gw = await sessionGateway({ rateLimits: { anonymousPerMin: 1 } })
    const answers = [
      await gw.app.inject({ method: 'GET', url: '/models' }),
      await gw.app.inject({ method: 'GET', url: '/models' }),
      await gw.app.inject({ method: 'POST', url: '/model/resnet/predict', payload: {} }),
      await gw.app.inject({ method: 'GET', url: '/nowhere' }),
      await gw.app.inject({ method: 'POST', url: '/auth/session' })
    ]
    expect(answers.map((r) => r.statusCode)).toEqual([200, 429, 401, 404, 200])
    for (const res of answers) expectSecurityHeaders(res.headers)
  })

  it('let the /docs page work: its scripts are same-origin files the CSP allows, nothing is upgraded to https', async () => {
    const gw = await sessionGateway()
    const page = await gw.app.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toMatch(/script-src 'self'(;|$)/)
    expect(csp).toMatch(/style-src 'self'/)
    expect(csp).toMatch(/img-src 'self' data:/)
    expect(csp).not.toMatch(/upgrade-insecure-requests/)
    const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '')
    expect(scripts.length).toBeGreaterThan(0)
    // An inline script would be blocked by script-src 'self'.
    for (const attributes of scripts) {
      const src = /src="\.\/([\w./-]+\.js)"/.exec(attributes)?.[1]
      expect(src, attributes).toBeDefined()
      const res = await gw.app.inject({ method: 'GET', url: `/docs/${src ?? ''}` })
      expect(res.statusCode, src).toBe(200)
      expect(res.headers['content-type']).toMatch(/javascript/)
    }
  })
})

describe('CORS (@fastify/cors) for CORS_ORIGIN', () => {
  it('lets the configured origin read answers, problems included, with the headers it needs exposed', async () => {
    const gw = await sessionGateway({ corsOrigins: [UI], rateLimits: { sessionPerMin: 1 } })
    const { token } = await gw.mint()
    const headers = { origin: UI, authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const ok = await gw.app.inject({ method: 'POST', url: '/model/resnet/predict', headers, payload: {} })
    const limited = await gw.app.inject({ method: 'POST', url: '/model/resnet/predict', headers, payload: {} })
    const unauthorized = await gw.app.inject({ method: 'POST', url: '/model/resnet/predict', headers: { origin: UI }, payload: {} })
    expect([ok.statusCode, limited.statusCode, unauthorized.statusCode]).toEqual([200, 429, 401])
    for (const res of [ok, limited, unauthorized]) {
      expect(res.headers['access-control-allow-origin']).toBe(UI)
      expect(res.headers.vary).toMatch(/origin/i)
      expect(String(res.headers['access-control-expose-headers']).split(/,\s*/)).toEqual(CORS_EXPOSED_HEADERS)
      expect(res.headers['access-control-allow-credentials']).toBeUndefined()
    }
  })

  it('answers the preflight with the methods and request headers the web UI uses', async () => {
    const gw = await sessionGateway({ corsOrigins: [UI, 'http://other.test'] })
    const res = await gw.app.inject({
      method: 'OPTIONS',
      url: '/model/resnet/predict',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-request-id' }
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(UI)
    expect(String(res.headers['access-control-allow-methods']).split(/,\s*/)).toEqual(['GET', 'POST'])
    expect(String(res.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(['authorization', 'content-type', 'x-api-key', 'x-request-id'])
    expect(res.headers['access-control-max-age']).toBe('600')
  })

  it('gives other origins, and every origin when CORS_ORIGIN is unset, no CORS headers', async () => {
    const configured = await sessionGateway({ corsOrigins: [UI] })
    const stranger = await configured.app.inject({ method: 'GET', url: '/models', headers: { origin: 'http://evil.test' } })
    expect(stranger.statusCode).toBe(200)
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined()
    const none = await sessionGateway()
    const res = await none.app.inject({ method: 'GET', url: '/models', headers: { origin: UI } })
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    const preflight = await none.app.inject({ method: 'OPTIONS', url: '/models', headers: { origin: UI, 'access-control-request-method': 'GET' } })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('reads CORS_ORIGIN as a comma list', () => {
    expect(parseCorsOrigins(` ${UI}/ , https://b.example,,`)).toEqual([UI, 'https://b.example'])
    expect(parseCorsOrigins(undefined)).toEqual([])
  })
})
