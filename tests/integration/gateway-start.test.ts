// `pnpm start` as a user runs it: real services, gateway, demo key, Ctrl-C (SIGTERM here).
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { registerCleanup } from '../helpers/cleanup.ts'
import { postPhoto } from '../helpers/reference.ts'
import { ROOT, type Spawned, freePort, spawnProcess } from '../helpers/spawn.ts'

interface Platform { dir: string, gatewayPort: number, servicePort: number, env: Record<string, string> }

async function platform (models: Array<{ id: string, service: string }> = [{ id: 'resnet', service: join(ROOT, 'services/resnet') }]): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-start-'))
  const gatewayPort = await freePort()
  const servicePort = await freePort()
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    models: models.map((m, i) => ({ ...m, port: servicePort + i })),
    gateway: { port: gatewayPort }
  }))
  // MODELS_DIR relative to the folder the command runs in, as in `MODELS_DIR=../shared/models pnpm start`.
  return { dir, gatewayPort, servicePort, env: { INIT_CWD: ROOT, MODELGATE_CONFIG: join(dir, 'config.json'), MODELS_DIR: '../shared/models', DATA_DIR: join(dir, 'data') } }
}

function start (p: Platform, env: Record<string, string> = {}): Spawned {
  const proc = spawnProcess(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env: { ...p.env, LOG_LEVEL: 'warn', ...env } })
  // SIGTERM, not SIGKILL: the script must live to stop its own children (each in its own group).
  registerCleanup(async () => { await proc.stop('SIGTERM') })
  return proc
}

async function waitForOutput (proc: Spawned, text: string, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let exited = false
  void proc.exited.then(() => { exited = true })
  while (!proc.output().includes(text)) {
    if (exited || Date.now() > deadline) throw new Error(`no "${text}" in the output:\n${proc.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return proc.output()
}

async function isListening (port: number): Promise<boolean> {
  return await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false)
}

describe('pnpm start', () => {
  it('starts services and gateway, prints the URLs and a demo key once, and stops everything on SIGTERM', async () => {
    const p = await platform()
    const first = start(p)
    const output = await waitForOutput(first, 'Press Ctrl-C to stop.')
    expect(output).toContain(`gateway     http://127.0.0.1:${p.gatewayPort}`)
    // On every core, up to 4 (this machine: 2), its workers sharing the limits.
    expect(output).toContain(`${Math.min(availableParallelism(), 4)} workers (GATEWAY_WORKERS), rate limits counted in its memory, shared by its workers`)
    expect(output).toContain(`resnet      http://127.0.0.1:${p.servicePort}`)
    const keyFile = join(p.dir, 'data', 'demo-key')
    const key = readFileSync(keyFile, 'utf8').trim()
    expect(key).toMatch(/^mg_[A-Za-z0-9_-]{43}$/)
    expect(output).toContain(`  ${key}\n`)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)

    const res = await postPhoto(`http://127.0.0.1:${p.gatewayPort}/model/resnet/predict`, 'cat_720p.jpg', { authorization: `Bearer ${key}` })
    expect(res.status).toBe(200)
    expect(res.body.predictions[0]?.label).toBe('cat')
    const upstreams = JSON.parse(readFileSync(join(p.dir, 'data', 'upstreams.json'), 'utf8'))
    expect(upstreams.models.resnet.stable).toEqual({ version: '2.0.0', replicas: [`http://127.0.0.1:${p.servicePort}`] })
    // Only the gateway may call the service: a token for both, made once, readable by this user alone.
    const tokenFile = join(p.dir, 'data', 'service-token')
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    expect((await postPhoto(`http://127.0.0.1:${p.servicePort}/predict`, 'cat_720p.jpg')).status).toBe(401)
    expect(output).not.toContain(readFileSync(tokenFile, 'utf8').trim())

    expect(await first.stop('SIGTERM')).toBe(0)
    expect(first.output()).toContain('Stopped.')
    expect(await isListening(p.gatewayPort)).toBe(false)
    expect(await isListening(p.servicePort)).toBe(false)

    const second = start(p)
    const again = await waitForOutput(second, 'Press Ctrl-C to stop.')
    expect(again).toContain(`Demo API key: in ${keyFile}`)
    expect(again).not.toContain(key)
    expect((await postPhoto(`http://127.0.0.1:${p.gatewayPort}/model/resnet/predict`, 'owl.jpg', { 'x-api-key': key })).status).toBe(200)
    expect(await second.stop('SIGTERM')).toBe(0)
  })

  it('starts the web UI on WEB_PORT, given the gateway URL, with the gateway allowing its origin', async () => {
    const p = await platform()
    const configured = await freePort()
    const webPort = await freePort()
    const config = JSON.parse(readFileSync(p.env.MODELGATE_CONFIG!, 'utf8'))
    writeFileSync(p.env.MODELGATE_CONFIG!, JSON.stringify({ ...config, web: { port: configured } }))
    const proc = start(p, { WEB_PORT: String(webPort) })
    const output = await waitForOutput(proc, 'Press Ctrl-C to stop.')
    expect(output).toContain(`web UI      http://127.0.0.1:${webPort}`)
    const page = await (await fetch(`http://127.0.0.1:${webPort}/`)).text()
    expect(page).toContain(`http://127.0.0.1:${p.gatewayPort}`)
    const cors = await fetch(`http://127.0.0.1:${p.gatewayPort}/models`, { headers: { origin: `http://127.0.0.1:${webPort}` } })
    expect(cors.headers.get('access-control-allow-origin')).toBe(`http://127.0.0.1:${webPort}`)
    expect(await isListening(configured)).toBe(false)
    expect(await proc.stop('SIGTERM')).toBe(0)
  })

  it('says exactly what to do when a bundle is missing and cannot be pulled', async () => {
    const p = await platform([{ id: 'nosuchmodel', service: join(ROOT, 'services/resnet') }])
    const proc = start(p, { MODELS_DIR: mkdtempSync(join(tmpdir(), 'mg-empty-')) })
    expect(await proc.exited).toBe(1)
    const output = proc.output()
    expect(output).toContain('Cannot start: no bundle for nosuchmodel')
    expect(output).toContain('pnpm models pull nosuchmodel --from <mirror>')
    expect(output).toContain('MODELS_DIR=<folder> pnpm start')
  })

  it('refuses a port that is taken, naming it', async () => {
    const p = await platform()
    const blocker = start(p)
    await waitForOutput(blocker, 'Press Ctrl-C to stop.')
    const proc = start(p)
    expect(await proc.exited).toBe(1)
    expect(proc.output()).toMatch(new RegExp(`Port ${p.servicePort} \\(resnet\\) is in use`))
  })
})
