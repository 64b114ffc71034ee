// The service credential with real processes: a model service with SERVICE_TOKEN refuses every caller
// but the gateway (probes stay open), the gateway still reaches every model, a rotation goes through
// without a failed request, and the token is never written to a log.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createKey } from '../helpers/keys-cli.ts'
import { type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { postPhoto, reference } from '../helpers/reference.ts'
import { ROOT, SHARED_MODELS, freePort, spawnProcess } from '../helpers/spawn.ts'

const OLD = 'old-service-token-0123456789abcdef0123456789abcdef'
const NEW = 'new-service-token-fedcba9876543210fedcba9876543210'
const MODELS = ['resnet', 'mobilenet', 'resnet-int8']

async function status (url: string, headers: Record<string, string> = {}): Promise<number> {
  return (await fetch(url, { headers })).status
}

describe('SERVICE_TOKEN', () => {
  it('a service refuses predict, metadata and metrics without the token, leaves the probes open, and never logs it', async () => {
    const service = await startService('resnet', { env: { SERVICE_TOKEN: NEW, LOG_LEVEL: 'debug' } })
    const refused = await postPhoto(`${service.url}/predict`, 'cat_720p.jpg')
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ code: 'SERVICE_AUTH_REQUIRED', status: 401 })
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="modelgate-service"')
    expect((await postPhoto(`${service.url}/predict`, 'cat_720p.jpg', { authorization: `Bearer ${OLD}` })).status).toBe(401)
    expect((await postPhoto(`${service.url}/predict`, 'cat_720p.jpg', { authorization: NEW })).status).toBe(401)
    for (const path of ['/metadata', '/metrics', '/nowhere']) expect(await status(`${service.url}${path}`), path).toBe(401)

    expect((await postPhoto(`${service.url}/predict`, 'cat_720p.jpg', { authorization: `Bearer ${NEW}` })).body.predictions[0]?.label).toBe('cat')
    expect(await status(`${service.url}/metadata`, { authorization: `Bearer ${NEW}` })).toBe(200)
    expect(await status(`${service.url}/metrics`, { authorization: `Bearer ${NEW}` })).toBe(200)
    expect(await status(`${service.url}/healthz`)).toBe(200)
    expect(await status(`${service.url}/readyz`)).toBe(200)
    expect(service.output()).not.toContain(NEW)
    expect(service.output()).not.toContain('no SERVICE_TOKEN')
  })

  it('a service without one says once that anyone can call it', async () => {
    const service = await startService('resnet')
    expect(service.output().match(/no SERVICE_TOKEN: any caller that reaches this port can classify/g)).toHaveLength(1)
  })

  it('refuses to start with a token under 32 bytes, or both settings, naming the setting and not the token', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mg-token-')), 'token')
    writeFileSync(file, `${NEW}\n`)
    for (const [env, message] of [
      [{ SERVICE_TOKEN: `${NEW},short-token` }, 'SERVICE_TOKEN: token 2 of 2 has 11 bytes; a service token needs at least 32'],
      [{ SERVICE_TOKEN: NEW, SERVICE_TOKEN_FILE: file }, 'Set SERVICE_TOKEN or SERVICE_TOKEN_FILE, not both.'],
      [{ SERVICE_TOKEN_FILE: `${file}.missing` }, `SERVICE_TOKEN_FILE (${file}.missing) cannot be read: ENOENT`]
    ] as const) {
      const proc = spawnProcess(process.execPath, [join(ROOT, 'services/model-server/bin/model-server.js'), 'service.json'], {
        cwd: join(ROOT, 'services/resnet'),
        env: { ...env, PORT: String(await freePort()), MODEL_BUNDLE: join(SHARED_MODELS, 'resnet') }
      })
      expect(await proc.exited).toBe(1)
      expect(proc.output()).toContain(message)
      expect(proc.output()).not.toContain('short-token')
    }
  })

  it('through the gateway every model answers, at each step of a rotation (old,new → new)', async () => {
    const services: Record<string, ProcessHandle> = {}
    for (const id of MODELS) services[id] = await startService(id, { env: { SERVICE_TOKEN: `${OLD},${NEW}` } })
    const upstreams = { models: Object.fromEntries(MODELS.map((id) => [id, { stable: { version: reference.bundles[id]!.version, replicas: [services[id]!.url] } }])) }
    // Step 1: the services accept both tokens; the gateway still sends the old one.
    const gateway = await startGateway({ upstreams, env: { SERVICE_TOKEN: OLD } })
    const { secret } = await createKey(gateway.env)
    const classify = async (id: string): Promise<number> =>
      (await postPhoto(`${gateway.url}/model/${id}/predict`, 'eagle.jpg', { authorization: `Bearer ${secret}` })).status
    for (const id of MODELS) expect(await classify(id), id).toBe(200)
    // The catalogue is read from each service's /metadata, with the token.
    const models = (await (await fetch(`${gateway.url}/models`)).json()) as { models: Array<{ id: string, name?: string, status: string }> }
    expect(models.models.map((m) => [m.id, m.status, typeof m.name])).toEqual(MODELS.map((id) => [id, 'ready', 'string']))

    // Step 2: the gateway sends the new one (the first of its list).
    await gateway.stop('SIGTERM')
    const next = await startGateway({ upstreams, dataDir: gateway.dataDir, port: gateway.port, env: { SERVICE_TOKEN: `${NEW},${OLD}` } })
    expect(await classify('resnet')).toBe(200)

    // Step 3: the services drop the old one, one at a time.
    const resnet = services.resnet!
    await resnet.stop('SIGTERM')
    const rotated = await startService('resnet', { port: resnet.port, env: { SERVICE_TOKEN: NEW } })
    const deadline = Date.now() + 10_000
    while (((await (await fetch(`${next.url}/models/resnet`)).json()) as { status: string }).status !== 'ready' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await classify('resnet')).toBe(200)
    expect((await postPhoto(`${rotated.url}/predict`, 'eagle.jpg', { authorization: `Bearer ${OLD}` })).status).toBe(401)

    for (const output of [gateway.output(), next.output(), rotated.output(), ...MODELS.map((id) => services[id]!.output())]) {
      expect(output).not.toContain(OLD)
      expect(output).not.toContain(NEW)
    }
  })
})
