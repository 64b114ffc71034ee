// The gateway in front of real model services (shared bundles), all real processes on loopback.
import { writeFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createKey, runKeys } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { type PredictAnswer, photo, postPhoto } from '../helpers/reference.ts'

let resnetA: ProcessHandle
let resnetB: ProcessHandle
let mobilenet: ProcessHandle
let int8: ProcessHandle
let gateway: GatewayHandle
let key: { id: string, secret: string }

beforeAll(async () => {
  [resnetA, resnetB, mobilenet, int8] = await Promise.all([
    startService('resnet'), startService('resnet'), startService('mobilenet'), startService('resnet-int8')
  ])
  gateway = await startGateway({
    upstreams: {
      models: {
        resnet: { stable: { version: '2.0.0', replicas: [resnetA.url, resnetB.url] } },
        mobilenet: { stable: { version: '1.0.0', replicas: [mobilenet.url] } },
        'resnet-int8': { stable: { version: '2.0.0', replicas: [int8.url] } }
      }
    },
    env: { HEALTH_INTERVAL_MS: '200', HEALTH_TIMEOUT_MS: '1000' }
  })
  key = await createKey(gateway.env)
})

const predictUrl = (id: string): string => `${gateway.url}/model/${id}/predict`

describe('classifying through the gateway', () => {
  it('classifies a photo with a Bearer key and with x-api-key', async () => {
    const bearer = await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { authorization: `Bearer ${key.secret}` })
    expect(bearer.status).toBe(200)
    expect(bearer.body.model).toMatchObject({ id: 'resnet', version: '2.0.0' })
    expect(bearer.body.predictions[0]?.label).toBe('cat')
    const header = await postPhoto(predictUrl('mobilenet'), 'eagle.jpg', { 'x-api-key': key.secret })
    expect(header.status).toBe(200)
    expect(header.body.predictions[0]?.label).toMatch(/eagle/)
  })

  it('relays JSON base64 and multipart bodies, and the service\'s own problems unchanged', async () => {
    const json = await fetch(`${predictUrl('resnet')}?topk=2`, {
      method: 'POST',
      headers: { 'x-api-key': key.secret, 'content-type': 'application/json', 'x-request-id': 'it-json-1' },
      body: JSON.stringify({ image: photo('owl.jpg').toString('base64') })
    })
    expect(json.status).toBe(200)
    expect(json.headers.get('x-request-id')).toBe('it-json-1')
    expect(((await json.json()) as PredictAnswer).predictions).toHaveLength(2)
    const form = new FormData()
    form.append('image', new Blob([photo('cat_720p.jpg')], { type: 'image/jpeg' }), 'cat.jpg')
    const multipart = await fetch(predictUrl('resnet-int8'), { method: 'POST', headers: { 'x-api-key': key.secret }, body: form })
    expect(multipart.status).toBe(200)
    expect(((await multipart.json()) as PredictAnswer).predictions[0]?.label).toBe('cat')
    const text = await fetch(predictUrl('resnet'), { method: 'POST', headers: { 'x-api-key': key.secret, 'content-type': 'text/plain', 'x-request-id': 'it-text-1' }, body: 'not an image' })
    expect(text.status).toBe(415)
    expect(text.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await text.json()).toMatchObject({ code: 'IMAGE_UNSUPPORTED_TYPE', status: 415, requestId: 'it-text-1' })
  })

  it('answers 401 without or with a bad key and 403 for a model the key may not call', async () => {
    const none = await postPhoto(predictUrl('resnet'), 'cat_720p.jpg')
    expect(none.status).toBe(401)
    expect(none.body).toMatchObject({ code: 'AUTH_REQUIRED', status: 401 })
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/)
    const bad = await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { authorization: `Bearer mg_${'x'.repeat(43)}` })
    expect(bad.body).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
    const limited = await createKey(gateway.env, ['--models', 'mobilenet'])
    const forbidden = await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { 'x-api-key': limited.secret })
    expect(forbidden.status).toBe(403)
    expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN_MODEL', status: 403 })
  })

  it('refuses a key within a second of `pnpm keys revoke`, without a restart', async () => {
    const doomed = await createKey(gateway.env)
    expect((await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { 'x-api-key': doomed.secret })).status).toBe(200)
    const revoked = await runKeys(['revoke', doomed.id], gateway.env)
    expect(revoked.code).toBe(0)
    // The bound is the contract (KEY_CACHE_MS is 500 ms by default): poll, and stop at one second.
    const deadline = Date.now() + 1000
    let last = await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { 'x-api-key': doomed.secret })
    while (last.status === 200 && Date.now() < deadline) {
      last = await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { 'x-api-key': doomed.secret })
    }
    expect(last.body).toMatchObject({ code: 'AUTH_INVALID', status: 401 })
  })

  it('answers 404 MODEL_NOT_FOUND listing the known models', async () => {
    const res = await postPhoto(predictUrl('vgg16'), 'cat_720p.jpg', { 'x-api-key': key.secret })
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ code: 'MODEL_NOT_FOUND', status: 404, knownModels: ['resnet', 'mobilenet', 'resnet-int8'] })
  })

  it('lists the models from the services\' metadata', async () => {
    const res = await fetch(`${gateway.url}/models`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      models: [
        { id: 'resnet', name: 'ResNet-56 (CIFAR-10)', version: '2.0.0', classes: 10, input: { width: 32, height: 32 }, status: 'ready' },
        { id: 'mobilenet', name: expect.stringMatching(/MobileNet/), version: '1.0.0', classes: 1000, input: { width: 224, height: 224 }, status: 'ready' },
        { id: 'resnet-int8', name: expect.any(String), version: '2.0.0', classes: 10, input: { width: 32, height: 32 }, status: 'ready' }
      ]
    })
  })

  it('spreads requests over both replicas of a model', async () => {
    const before = gateway.logLines().length
    for (let i = 0; i < 20; i++) {
      expect((await postPhoto(predictUrl('resnet'), 'owl.jpg', { 'x-api-key': key.secret })).status).toBe(200)
    }
    const lines = await gateway.waitForLines((l) => l.msg === 'request completed' && l.modelId === 'resnet', 20, before)
    const byReplica = new Map<unknown, number>()
    for (const line of lines) byReplica.set(line.upstream, (byReplica.get(line.upstream) ?? 0) + 1)
    expect(lines).toHaveLength(20)
    expect(byReplica.get(resnetA.url)).toBeGreaterThanOrEqual(5)
    expect(byReplica.get(resnetB.url)).toBeGreaterThanOrEqual(5)
  })

  it('answers 503 for a model whose only replica was killed, others keep working, and it recovers', async () => {
    await int8.kill()
    // Until the gateway notices (a failed request or the next health check) a request may get 502.
    let res = await postPhoto(predictUrl('resnet-int8'), 'cat_720p.jpg', { 'x-api-key': key.secret })
    while (res.status === 502) res = await postPhoto(predictUrl('resnet-int8'), 'cat_720p.jpg', { 'x-api-key': key.secret })
    expect(res.status).toBe(503)
    expect(res.body).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 503 })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { 'x-api-key': key.secret })).status).toBe(200)
    expect((await postPhoto(predictUrl('mobilenet'), 'cat_720p.jpg', { 'x-api-key': key.secret })).status).toBe(200)
    const listed = await (await fetch(`${gateway.url}/models/resnet-int8`)).json()
    expect(listed).toMatchObject({ id: 'resnet-int8', status: 'down' })

    await int8.restart()
    let back = await postPhoto(predictUrl('resnet-int8'), 'cat_720p.jpg', { 'x-api-key': key.secret })
    while (back.status === 503) back = await postPhoto(predictUrl('resnet-int8'), 'cat_720p.jpg', { 'x-api-key': key.secret })
    expect(back.status).toBe(200)
    expect(back.body.predictions[0]?.label).toBe('cat')
  })

  it('keeps serving from the other replica when one of two is killed', async () => {
    await resnetB.kill()
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await postPhoto(predictUrl('resnet'), 'cat_720p.jpg', { 'x-api-key': key.secret })).status)
    // At most the one request that found the dead replica fails; the rest go to the live one.
    expect(statuses.filter((s) => s !== 200).length).toBeLessThanOrEqual(1)
    expect(statuses.slice(-5)).toEqual([200, 200, 200, 200, 200])
  })

  it('reloads the upstreams file on SIGHUP without a restart', async () => {
    writeFileSync(gateway.upstreamsPath, JSON.stringify({ models: { resnet: { stable: { version: '2.0.0', replicas: [resnetA.url] } }, mobilenet: { stable: { version: '1.0.0', replicas: [mobilenet.url] } } } }))
    gateway.signal('SIGHUP')
    await gateway.waitForLines((l) => l.msg === 'upstreams reloaded', 1)
    const res = await fetch(`${gateway.url}/models`)
    expect(((await res.json()) as { models: Array<{ id: string }> }).models.map((m) => m.id)).toEqual(['resnet', 'mobilenet'])
    const gone = await postPhoto(predictUrl('resnet-int8'), 'cat_720p.jpg', { 'x-api-key': key.secret })
    expect(gone.body).toMatchObject({ code: 'MODEL_NOT_FOUND', knownModels: ['resnet', 'mobilenet'] })
    writeFileSync(gateway.upstreamsPath, '{ "models": { "resnet": { "stable": { "version": "2", "replicas": [] } } } }')
    gateway.signal('SIGHUP')
    const [refused] = await gateway.waitForLines((l) => l.msg === 'upstreams not reloaded', 1)
    expect(JSON.stringify(refused)).toContain('models.resnet.stable.replicas')
    expect((await postPhoto(predictUrl('mobilenet'), 'cat_720p.jpg', { 'x-api-key': key.secret })).status).toBe(200)
  })

  it('counts usage per key and model in the key store', async () => {
    await gateway.stop('SIGTERM')
    const usage = await runKeys(['usage', key.id, '--json'], gateway.env)
    const rows = JSON.parse(usage.stdout) as Array<{ modelId: string, requests: number }>
    expect(rows.find((r) => r.modelId === 'resnet')?.requests).toBeGreaterThanOrEqual(20)
    expect(rows.find((r) => r.modelId === 'mobilenet')?.requests).toBeGreaterThanOrEqual(1)
  })
})
