// The platform a browser test drives, all real and on loopback: model services from the shared
// bundles, the gateway (sessions, CORS for the web server's origin, rate limits, /ops/summary) and
// `pnpm --dir web start`.
import { readFileSync } from 'node:fs'
import { killOnExit } from '../helpers/cleanup.ts'
import { createKey } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { SHARED_MODELS, type Spawned, freePort, spawnProcess, waitForOk } from '../helpers/spawn.ts'

const UP_MODELS = ['mobilenet', 'resnet', 'resnet-int8']
/** In the upstreams file, its one replica a loopback port nothing listens on: a model that is down. */
export const DOWN_MODEL = 'efficientnet'

export interface PlatformOptions {
  /** Models served from the shared bundle of the same name; default UP_MODELS. */
  models?: string[]
  /** resnet-v1 as resnet's canary with 10% of the traffic. */
  canary?: boolean
  /** resnet's predict traffic mirrored to resnet-int8 (all of it). */
  shadow?: boolean
  /** More gateway settings, e.g. a low SESSION_RATE_LIMIT_PER_MIN. */
  gatewayEnv?: Record<string, string>
}

/** One predict request as the gateway's access line tells it. */
export interface PredictCall {
  modelId: string
  status: number
  /** Who called: `session:ses_…` for a browser, `key:key_…` for an API key. */
  principal: string
  rateLimited: boolean
}

export interface Platform {
  webUrl: string
  gateway: GatewayHandle
  adminKey: string
  /** A key without admin rights: predicts, but is refused by /ops/summary. */
  userKey: string
  /** Every predict request the gateway has answered so far. */
  predictCalls: () => PredictCall[]
  stop: () => Promise<void>
}

const bundleVersion = (bundle: string): string =>
  (JSON.parse(readFileSync(`${SHARED_MODELS}${bundle}/model.json`, 'utf8')) as { version: string }).version

/** Starts everything; call from beforeAll and stop in afterAll. */
export async function startPlatform (opts: PlatformOptions = {}): Promise<Platform> {
  const services: ProcessHandle[] = []
  const front: Array<ProcessHandle | Spawned> = []
  const stop = async (): Promise<void> => {
    // The web server and the gateway first, so nothing calls a service that is going away.
    for (const group of [front, services]) await Promise.all(group.map(async (p) => await p.stop('SIGTERM')))
  }
  try {
    const ids = opts.models ?? UP_MODELS
    const starting = [...ids.map(async (id) => await startService(id))]
    if (opts.canary === true) starting.push(startService('resnet', { bundle: 'resnet-v1' }))
    const settled = await Promise.allSettled(starting)
    for (const s of settled) if (s.status === 'fulfilled') services.push(s.value)
    const failed = settled.find((s) => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    const upstreams: Record<string, unknown> = Object.fromEntries(ids.map((id, i) => [id, {
      stable: { version: bundleVersion(id), replicas: [services[i]!.url] },
      ...(opts.canary === true && id === 'resnet' ? { canary: { version: bundleVersion('resnet-v1'), replicas: [services.at(-1)!.url], weight: 10 } } : {}),
      ...(opts.shadow === true && id === 'resnet' ? { shadow: { model: 'resnet-int8', percent: 100 } } : {})
    }]))
    upstreams[DOWN_MODEL] = { stable: { version: '1.0.0', replicas: [`http://127.0.0.1:${await freePort()}`] } }

    const webPort = await freePort()
    const webUrl = `http://127.0.0.1:${webPort}`
    const gateway = await startGateway({ upstreams: { models: upstreams }, env: { CORS_ORIGIN: webUrl, ...opts.gatewayEnv } })
    front.push(gateway)
    const web = spawnProcess('pnpm', ['--silent', '--dir', 'web', 'start'], {
      env: { WEB_PORT: String(webPort), HOST: '127.0.0.1', GATEWAY_URL: gateway.url }
    })
    const pid = web.child.pid
    const forget = killOnExit(() => { try { if (pid !== undefined) process.kill(-pid, 'SIGKILL') } catch {} })
    void web.exited.then(forget)
    front.push(web)

    const [adminKey, userKey] = await Promise.all([
      createKey(gateway.env, ['--admin']),
      createKey(gateway.env),
      // The first start may build the UI (vite, a few seconds).
      waitForOk(`${webUrl}/healthz`, web, 120_000),
      catalogueSettled(gateway.url, ids)
    ])
    return { webUrl, gateway, adminKey: adminKey.secret, userKey: userKey.secret, predictCalls: () => predictCalls(gateway), stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Waits until /models shows what the pages expect: every model up with its metadata, the down one down. */
async function catalogueSettled (gatewayUrl: string, up: string[]): Promise<void> {
  const deadline = Date.now() + 30_000
  let last: unknown
  while (Date.now() < deadline) {
    const res = await fetch(`${gatewayUrl}/models`)
    last = await res.json()
    const models = (last as { models?: Array<{ id: string, status: string, name?: string }> }).models ?? []
    const settled = models.filter((m) => m.id === DOWN_MODEL ? m.status === 'down' : up.includes(m.id) && m.status === 'ready' && m.name !== undefined)
    if (settled.length === up.length + 1) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`GET /models did not settle: ${JSON.stringify(last)}`)
}

function predictCalls (gateway: GatewayHandle): PredictCall[] {
  return gateway.logLines()
    .filter((l) => l.msg === 'request completed' && l.method === 'POST' && l.route === '/model/:id/predict')
    .map((l) => {
      const principal = l.principal as { type: string, id: string } | null
      return {
        modelId: String(l.modelId),
        status: Number(l.statusCode),
        principal: principal === null ? 'anonymous' : `${principal.type}:${principal.id}`,
        rateLimited: l.rateLimited === true
      }
    })
}
