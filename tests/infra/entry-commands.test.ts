// Runs each image's entry command here, as the container would: the CMD from the Dockerfile in the
// folder its WORKDIR names, with the image's ENV and the compose service's environment and nothing
// else, the model from a shared bundle (MODEL_BUNDLE), 127.0.0.1 for 0.0.0.0 and free ports. Then the
// image's own HEALTHCHECK command must pass, and the dashboard's metric names and log fields must be
// in what the processes really serve and write.
import { execFile, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { killOnExit, registerCleanup } from '../helpers/cleanup.ts'
import { startRedis } from '../helpers/redis.ts'
import { ROOT, SHARED_IMAGES, SHARED_MODELS, type Spawned, freePort, waitForOk } from '../helpers/spawn.ts'
import { type ImageConfig, contextSources, parseDockerfile } from './dockerfile.ts'
import { COMPOSE_DIR, MODEL_IDS, composeFile, dashboardLogFields, images } from './platform.ts'

const all = images()
const compose = composeFile()
const SERVICE_TOKEN = 'entry-commands-service-token-0123456789abcdef'

/** The folder here that the image's /app/<path> is: the checkout, or a copy laid out as the image. */
function hostPath (imagePath: string, app = ROOT): string {
  if (!imagePath.startsWith('/app/')) throw new Error(`${imagePath} is not under /app`)
  return join(app, imagePath.slice('/app/'.length))
}

/**
 * /app of the web image: what its last stage copies from web/, the page built by its build stage's
 * command (into this copy, not web/dist) and the installed dependencies. No sources: server.ts then
 * serves the build as in the container, and never starts vite.
 */
async function webImageLayout (): Promise<string> {
  const app = mkdtempSync(join(tmpdir(), 'mg-infra-web-'))
  registerCleanup(() => { rmSync(app, { recursive: true, force: true }) })
  const df = parseDockerfile('web.Dockerfile')
  for (const source of contextSources(df.stages.at(-1)!, {}).filter((s) => s.startsWith('web/'))) {
    cpSync(join(ROOT, source), join(app, source), { recursive: true })
  }
  cpSync(join(ROOT, 'web/package.json'), join(app, 'web/package.json'))
  symlinkSync(join(ROOT, 'web/node_modules'), join(app, 'web/node_modules'))
  mkdirSync(join(app, 'web/dist'))
  // The build stage runs `pnpm --dir web build` (vite build); the same, with the output here.
  expect(df.stages.find((s) => s.name === 'build')?.steps.some((step) => step.args === 'pnpm --dir web build')).toBe(true)
  await promisify(execFile)('pnpm', ['--dir', 'web', 'exec', 'vite', 'build', '--outDir', relative(join(ROOT, 'web'), join(app, 'web/dist')), '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT })
  return app
}

interface Running { url: string, env: Record<string, string>, cwd: string, image: ImageConfig, output: () => string }

/** The image's CMD in its WORKDIR with its ENV, the compose service's environment, then `overrides`. */
async function runAsImage (image: string, service: string, overrides: Record<string, string>, portVariable = 'PORT', app = ROOT): Promise<Running> {
  const config = all[image]!
  const port = await freePort()
  const env = { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...config.env, ...compose.services[service]?.environment, HOST: '127.0.0.1', [portVariable]: String(port), ...overrides }
  const cwd = hostPath(config.workdir, app)
  const [command, ...args] = config.cmd ?? []
  expect(command).toBe('node')
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const kill = (): void => { try { process.kill(-(child.pid ?? 0), 'SIGKILL') } catch {} }
  const forget = killOnExit(kill)
  registerCleanup(async () => { kill(); await exited; forget() })
  const proc: Spawned = { child, output: () => output, exited, stop: async () => { kill(); return await exited } }
  const url = `http://127.0.0.1:${port}`
  await waitForOk(`${url}/readyz`, proc, 180_000)
  return { url, env, cwd, image: config, output: () => output }
}

/** Runs the image's HEALTHCHECK command as Docker would inside the container; resolves with its exit code. */
async function healthcheck (running: Running, env: Record<string, string> = running.env): Promise<number> {
  const [, ...args] = running.image.healthcheck?.cmd ?? []
  return await new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: running.cwd, env, timeout: 10_000 }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : 1)
    })
  })
}

async function closedPort (): Promise<string> {
  return String(await freePort())
}

const models: Record<string, Running> = {}
let gateway: Running
let web: Running
let adminKey: string

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mg-infra-gateway-'))
  registerCleanup(() => { rmSync(dataDir, { recursive: true, force: true }) })
  // compose's service_token secret (/run/secrets/service_token there), here a file of its own.
  const secrets = { SERVICE_TOKEN_FILE: join(dataDir, 'service-token') }
  writeFileSync(secrets.SERVICE_TOKEN_FILE, SERVICE_TOKEN, { mode: 0o600 })
  const started = await Promise.all(MODEL_IDS.map(async (id) => await runAsImage(`modelgate-${id}`, id, { MODEL_BUNDLE: join(SHARED_MODELS, id), ...secrets })))
  MODEL_IDS.forEach((id, i) => { models[id] = started[i]! })

  // The compose routing table, with each compose host:port replaced by where that service runs here.
  const upstreamsPath = join(dataDir, 'upstreams.json')
  let upstreams = readFileSync(join(COMPOSE_DIR, 'compose/gateway/upstreams.json'), 'utf8')
  for (const id of MODEL_IDS) upstreams = upstreams.replace(new RegExp(`http://${id}:\\d+`, 'g'), models[id]!.url)
  writeFileSync(upstreamsPath, upstreams)
  const redis = await startRedis()
  gateway = await runAsImage('modelgate-gateway', 'gateway', { DATA_DIR: dataDir, GATEWAY_UPSTREAMS: upstreamsPath, REDIS_URL: redis.url, ...secrets })

  // docs/operations.md: `docker compose exec gateway node --import tsx src/cli/keys.ts create …`, here.
  adminKey = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--name', 'prometheus', '--admin'], { cwd: gateway.cwd, env: gateway.env }, (error, stdout) => {
      if (error !== null) reject(error)
      else resolve(stdout.trim().split('\n').at(-1) ?? '')
    })
  })
  web = await runAsImage('modelgate-web', 'web', {}, 'WEB_PORT', await webImageLayout())
}, 300_000)

describe.each(MODEL_IDS)('the %s image\'s entry command', (id) => {
  it('serves the bundle it was given and passes the image\'s health check', async () => {
    const running = models[id]!
    const metadata = await (await fetch(`${running.url}/metadata`, { headers: { authorization: `Bearer ${SERVICE_TOKEN}` } })).json() as { id: string }
    expect(metadata.id).toBe(id)
    expect(await healthcheck(running)).toBe(0)
  })

  it('fails the health check when nothing answers on its port', async () => {
    expect(await healthcheck(models[id]!, { ...models[id]!.env, PORT: await closedPort() })).toBe(1)
  })
})

describe('the gateway image\'s entry command', () => {
  it('passes its health check and fails it on a port where nothing answers', async () => {
    expect(await healthcheck(gateway)).toBe(0)
    expect(await healthcheck(gateway, { ...gateway.env, PORT: await closedPort() })).toBe(1)
  })

  it.each(MODEL_IDS)('classifies a photo with %s through the compose routing table', async (id) => {
    const res = await fetch(`${gateway.url}/model/${id}/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'image/jpeg' },
      body: readFileSync(join(SHARED_IMAGES, 'eagle.jpg'))
    })
    expect(res.status).toBe(200)
    expect((await res.json() as { model: { id: string } }).model.id).toBe(id)
  })

  it('serves every metric the Grafana dashboard queries (gateway with the admin key, model services with the service token)', async () => {
    const gatewayMetrics = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).text()
    const serviceMetrics = await (await fetch(`${models[MODEL_IDS[0]!]!.url}/metrics`, { headers: { authorization: `Bearer ${SERVICE_TOKEN}` } })).text()
    const dashboard = readFileSync(join(COMPOSE_DIR, 'compose/grafana/dashboards/modelgate.json'), 'utf8')
    const names = new Set([...dashboard.matchAll(/\b((?:gateway|model|process|http)_[a-z_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')))
    expect(names.size).toBeGreaterThanOrEqual(8)
    for (const name of names) expect(`${gatewayMetrics}\n${serviceMetrics}`, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'))
  })

  it('writes the log fields the dashboard and the log shipper read on each request line', () => {
    const lines = gateway.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
    const predict = lines.find((l) => l.route === '/model/:id/predict' && l.statusCode === 200)
    expect(predict).toBeDefined()
    const fields = dashboardLogFields()['request completed']
    expect(fields).toEqual(['errCode', 'level', 'modelId', 'rateLimited', 'statusCode', 'upstream', 'upstreamMs'])
    for (const field of fields!) expect(predict, field).toHaveProperty(field)
  })
})

describe('the web image\'s entry command', () => {
  it('serves the page with the compose GATEWAY_URL and passes its health check', async () => {
    const html = await (await fetch(`${web.url}/`)).text()
    expect(html).toContain(`<meta name="modelgate-gateway" content="${compose.services.web?.environment?.GATEWAY_URL ?? '-'}">`)
    expect(await healthcheck(web)).toBe(0)
    expect(await healthcheck(web, { ...web.env, WEB_PORT: await closedPort() })).toBe(1)
  })
})
