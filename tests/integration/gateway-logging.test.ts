// The access log, /metrics and /ops/summary of the real gateway process in front of a real service:
// the fields docs/logging.md promises, and no credential anywhere in the process's output.
import { beforeAll, describe, expect, it } from 'vitest'
import { createKey } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { photo } from '../helpers/reference.ts'

let resnet: ProcessHandle
let gateway: GatewayHandle
let user: { id: string, secret: string }
let admin: { id: string, secret: string }
let limited: { id: string, secret: string }

const cat = photo('cat_720p.jpg')
const FIELDS = ['time', 'reqId', 'method', 'route', 'modelId', 'modelVersion', 'upstream', 'statusCode', 'responseTimeMs', 'upstreamMs',
  'principal', 'clientIp', 'bytesIn', 'bytesOut', 'rateLimited', 'errCode']

beforeAll(async () => {
  resnet = await startService('resnet')
  gateway = await startGateway({ upstreams: { models: { resnet: { stable: { version: '2.0.0', replicas: [resnet.url] } } } } })
  ;[user, admin, limited] = await Promise.all([
    createKey(gateway.env, ['--rate', '100000/min']),
    createKey(gateway.env, ['--admin']),
    createKey(gateway.env, ['--rate', '2/min'])
  ])
})

async function accessLine (reqId: string): Promise<Record<string, unknown>> {
  const [line] = await gateway.waitForLines((l) => l.msg === 'request completed' && l.reqId === reqId, 1)
  if (line === undefined) throw new Error(`no access line for ${reqId}:\n${gateway.output().slice(-3000)}`)
  return line
}

const predictUrl = (): string => `${gateway.url}/model/resnet/predict`

describe('the gateway\'s access log (real processes)', () => {
  it('writes one line per request with every documented field and the bytes really moved', async () => {
    const res = await fetch(predictUrl(), { method: 'POST', headers: { authorization: `Bearer ${user.secret}`, 'content-type': 'image/jpeg', 'x-request-id': 'it-log-1' }, body: cat })
    const body = Buffer.from(await res.arrayBuffer())
    expect(res.status).toBe(200)
    const line = await accessLine('it-log-1')
    expect(Object.keys(line)).toEqual(expect.arrayContaining(FIELDS))
    expect(line).toMatchObject({
      method: 'POST',
      route: '/model/:id/predict',
      modelId: 'resnet',
      modelVersion: '2.0.0',
      upstream: resnet.url,
      statusCode: 200,
      principal: { type: 'key', id: user.id },
      clientIp: '127.0.0.1',
      bytesIn: cat.length,
      bytesOut: body.length,
      rateLimited: false,
      errCode: null
    })
    expect(line.upstreamMs).toEqual(expect.any(Number))
    expect(gateway.logLines().filter((l) => l.reqId === 'it-log-1' && l.msg === 'request completed')).toHaveLength(1)
  })

  it('counts a chunked upload, and names the code of the service\'s own problem', async () => {
    const stream = new Blob([cat]).stream()
    const chunked = await fetch(predictUrl(), { method: 'POST', headers: { 'x-api-key': user.secret, 'content-type': 'image/jpeg', 'x-request-id': 'it-log-2' }, body: stream, duplex: 'half' } as RequestInit)
    expect(chunked.status).toBe(200)
    expect(await accessLine('it-log-2')).toMatchObject({ bytesIn: cat.length, statusCode: 200 })
    const text = await fetch(predictUrl(), { method: 'POST', headers: { 'x-api-key': user.secret, 'content-type': 'text/plain', 'x-request-id': 'it-log-3' }, body: 'not an image' })
    expect(await text.json()).toMatchObject({ status: 415, code: 'IMAGE_UNSUPPORTED_TYPE' })
    expect(text.headers.get('x-model-version')).toBe('2.0.0')
    expect(await accessLine('it-log-3')).toMatchObject({ statusCode: 415, errCode: 'IMAGE_UNSUPPORTED_TYPE', modelVersion: '2.0.0', upstream: resnet.url })
  })

  it('marks a 429 as rateLimited, with the principal and model it was for', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const res = await fetch(predictUrl(), { method: 'POST', headers: { 'x-api-key': limited.secret, 'content-type': 'image/jpeg', 'x-request-id': `it-limit-${i}` }, body: cat })
      statuses.push(res.status)
      await res.arrayBuffer()
    }
    expect(statuses).toEqual([200, 200, 429])
    expect(await accessLine('it-limit-2')).toMatchObject({ statusCode: 429, rateLimited: true, errCode: 'RATE_LIMITED', modelId: 'resnet', principal: { type: 'key', id: limited.id } })
  })

  it('never writes a key or a token', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtcmVhbC1zaWduYXR1cmU'
    const refused = await fetch(predictUrl(), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg', 'x-request-id': 'it-log-4' }, body: cat })
    expect(await refused.json()).toMatchObject({ status: 401, code: 'AUTH_INVALID' })
    expect(await accessLine('it-log-4')).toMatchObject({ statusCode: 401, errCode: 'AUTH_INVALID', principal: null, modelId: 'resnet' })
    const output = gateway.output()
    for (const secret of [user.secret, admin.secret, limited.secret, token]) {
      expect(output).not.toContain(secret)
      expect(output).not.toContain(secret.slice(-20))
    }
  })
})

describe('/metrics and /ops/summary of the real gateway', () => {
  it('refuse non-admins and answer an admin key', async () => {
    for (const path of ['/metrics', '/ops/summary']) {
      expect(await (await fetch(`${gateway.url}${path}`)).json()).toMatchObject({ status: 401, code: 'AUTH_REQUIRED' })
      expect(await (await fetch(`${gateway.url}${path}`, { headers: { 'x-api-key': user.secret } })).json()).toMatchObject({ status: 403, code: 'ADMIN_REQUIRED' })
    }
    const metrics = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${admin.secret}` } })).text()
    expect(metrics).toMatch(/gateway_requests_total\{[^}]*model="resnet"[^}]*status="200"[^}]*principal_type="key"[^}]*\} [1-9]/)
    expect(metrics).toMatch(/gateway_rate_limited_total\{[^}]*model="resnet"[^}]*principal_type="key"[^}]*\} [1-9]/)
    expect(metrics).toMatch(new RegExp(`gateway_upstream_up\\{[^}]*upstream="${resnet.url}"[^}]*\\} 1`))
    const summary = await (await fetch(`${gateway.url}/ops/summary`, { headers: { 'x-api-key': admin.secret } })).json() as { models: Array<Record<string, unknown>> }
    expect(summary.models[0]).toMatchObject({ id: 'resnet', rateLimited: 1, stable: { version: '2.0.0', replicas: [{ url: resnet.url, healthy: true }] }, canary: null })
    expect(summary.models[0]!.requests).toBeGreaterThanOrEqual(6)
  })
})
