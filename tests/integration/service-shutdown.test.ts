import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { photo } from '../helpers/reference.ts'
import { startService } from '../helpers/processes.ts'

describe('model service shutdown', () => {
  it('finishes an in-flight request after SIGTERM, refuses new connections, and exits 0', async () => {
    const service = await startService('resnet')
    const image = photo('cat_720p.jpg')
    const answer = new Promise<{ status: number, body: string }>((resolve, reject) => {
      const req = request(`${service.url}/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'content-length': image.length } }, (res) => {
        let body = ''
        res.on('data', (d: Buffer) => { body += d.toString() })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      // Half the body now, the rest once the service is already shutting down.
      req.write(image.subarray(0, image.length / 2))
      setTimeout(() => {
        void service.stop('SIGTERM')
        setTimeout(() => req.end(image.subarray(image.length / 2)), 300)
      }, 200) // lets the service parse the request's headers before the signal arrives
    })
    const { status, body } = await answer
    expect(status).toBe(200)
    expect(JSON.parse(body).predictions[0].label).toBe('cat')
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow()
    expect(await service.exited()).toBe(0)
  })
})
