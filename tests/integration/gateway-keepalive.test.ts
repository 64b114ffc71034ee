import { Agent, request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createKey } from '../helpers/keys-cli.ts'
import { startGateway, startService } from '../helpers/processes.ts'
import { photo } from '../helpers/reference.ts'

describe('gateway keep-alive connections', () => {
  it('serves the next request on a connection whose previous large upload was refused unread', async () => {
    const service = await startService('resnet-int8')
    const gateway = await startGateway({ upstreams: { 'resnet-int8': [service.url] } })
    const key = await createKey(gateway.env, ['--models', 'resnet-int8'])
    // One socket for every request, and a body far larger than the socket buffers (1.4 MB).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const body = photo('kite.jpg')
    const post = async (path: string): Promise<number> => await new Promise((resolve, reject) => {
      const req = request(`${gateway.url}${path}`, { agent, method: 'POST', headers: { 'x-api-key': key.secret, 'content-type': 'image/jpeg', 'content-length': body.length } }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      req.on('error', reject)
      req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')))
      req.end(body)
    })
    expect(await post('/model/mobilenet/predict')).toBe(404)
    expect(await post('/model/resnet-int8/predict')).toBe(200)
    expect(await post('/model/nope/predict')).toBe(404)
    expect(await post('/model/resnet-int8/predict')).toBe(200)
    agent.destroy()
  })
})
