import { describe, expect, it } from 'vitest'
import { startServer } from '../../services/model-server/test/image-host.ts'
import { startService } from '../helpers/processes.ts'

async function predictUrl (serviceUrl: string, url: string): Promise<{ status: number, body: Record<string, any> }> {
  const res = await fetch(`${serviceUrl}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) })
  return { status: res.status, body: await res.json() as Record<string, any> }
}

describe('model service with {"url"} bodies (real process, loopback image host)', () => {
  it('classifies an image fetched from an allow-listed host and refuses loopback otherwise', async () => {
    const host = await startServer('127.0.0.1')
    try {
      const service = await startService('resnet', { env: { IMAGE_URL_ALLOW_HOSTS: `localhost:${host.port}` } })
      const allowed = `http://localhost:${host.port}`
      const ok = await predictUrl(service.url, `${allowed}/cat.jpg`)
      expect(ok.status).toBe(200)
      expect(ok.body.predictions[0].label).toBe('cat')
      expect(ok.body.timing.fetchMs).toBeGreaterThan(0)

      const before = host.connections
      for (const url of [`http://127.0.0.1:${host.port}/cat.jpg`, `http://2130706433:${host.port}/cat.jpg`, `http://[::1]:${host.port}/cat.jpg`]) {
        const refused = await predictUrl(service.url, url)
        expect(refused.status, url).toBe(403)
        expect(refused.body).toMatchObject({ code: 'IMAGE_URL_FORBIDDEN', status: 403 })
      }
      const redirected = await predictUrl(service.url, `${allowed}/to?u=${encodeURIComponent(`http://127.0.0.1:${host.port}/cat.jpg`)}`)
      expect(redirected.body).toMatchObject({ code: 'IMAGE_URL_FORBIDDEN', status: 403 })
      // Only the allow-listed redirect itself reached the host; the refused targets never connected.
      expect(host.connections - before).toBeLessThanOrEqual(1)
      expect(host.paths.filter((p) => p === '/cat.jpg')).toHaveLength(1)

      const html = await predictUrl(service.url, `${allowed}/page.html`)
      expect(html.body).toMatchObject({ code: 'IMAGE_UNSUPPORTED_TYPE', status: 415 })
      const scheme = await predictUrl(service.url, 'file:///etc/passwd')
      expect(scheme.body).toMatchObject({ code: 'IMAGE_URL_FORBIDDEN', status: 403 })
    } finally {
      await host.close()
    }
  })
})
