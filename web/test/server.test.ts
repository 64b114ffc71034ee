// The web server through app.inject, on a small dist folder made here like vite's output.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App } from '@modelgate/server-kit'
import { buildWebServer } from '../server/app.ts'
import { renderIndexHtml } from '../server/index-html.ts'

const INDEX = '<!doctype html><html><head><meta name="modelgate-gateway" content=""><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>'
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))})`

let dist: string
let app: App

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'modelgate-web-'))
  await mkdir(join(dist, 'assets'))
  await writeFile(join(dist, 'index.html'), INDEX)
  await writeFile(join(dist, 'assets', 'index-AbC123.js'), SCRIPT)
  await writeFile(join(dist, 'assets', 'index-AbC123.js.gz'), gzipSync(SCRIPT))
  await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  await writeFile(join(dist, '.env'), 'SECRET=1')
  app = await buildWebServer({ distDir: dist, gatewayUrl: 'https://api.example.com:8443/v1', logLevel: 'silent' })
})
afterAll(async () => {
  await app?.close()
  await rm(dist, { recursive: true, force: true })
})

describe('web server', () => {
  it.each(['/', '/ops'])('answers %s with index.html carrying the gateway URL, never cached without revalidation', async (url) => {
    const res = await app.inject({ url })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.body).toContain('<meta name="modelgate-gateway" content="https://api.example.com:8443/v1">')
  })

  it('sends a strict Content-Security-Policy allowing only itself and the gateway origin', async () => {
    const res = await app.inject({ url: '/' })
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("connect-src 'self' https://api.example.com:8443;")
    expect(csp).toContain("img-src 'self' blob: data:")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe')
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' })
  })

  it('serves hashed assets as immutable for a year, precompressed when the browser accepts it', async () => {
    const plain = await app.inject({ url: '/assets/index-AbC123.js' })
    expect(plain.statusCode).toBe(200)
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(plain.headers['content-type']).toMatch(/javascript/)
    const gz = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip' } })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gz.headers.vary).toMatch(/accept-encoding/i)
    expect(gz.headers['content-security-policy']).toBeDefined()
  })

  it('serves other files from the build revalidated, and refuses the raw index.html and dotfiles', async () => {
    expect((await app.inject({ url: '/favicon.svg' })).headers['cache-control']).toBe('no-cache')
    for (const url of ['/index.html', '/.env']) {
      const res = await app.inject({ url })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 })
    }
  })

  it('answers unknown paths with a 404 problem that also carries the security headers', async () => {
    const res = await app.inject({ url: '/nothing/here' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers['content-security-policy']).toBeDefined()
  })

  it('answers /healthz', async () => {
    const res = await app.inject({ url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })
})

describe('renderIndexHtml', () => {
  it('escapes the gateway URL so it cannot leave the attribute', () => {
    const html = renderIndexHtml(INDEX, 'https://x.example/"><script>alert(1)</script>')
    expect(html).not.toContain('<script>alert')
    expect(html).toContain('content="https://x.example/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
  })

  it('refuses a page without the meta tag rather than serve a page with no gateway', () => {
    expect(() => renderIndexHtml('<html></html>', 'http://127.0.0.1:8080')).toThrow(/modelgate-gateway/)
  })
})
