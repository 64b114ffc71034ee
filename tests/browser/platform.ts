// The platform a browser test drives, all on loopback: real model services, the gateway's browser
// contract (for now the fake in ./fake-gateway.ts, see docs/web.md) and the real web server.
import { type FakeGateway, type FakeModel, startFakeGateway } from './fake-gateway.ts'
import { type ProcessHandle, startService } from '../helpers/processes.ts'
import { type Spawned, freePort, spawnProcess, waitForOk } from '../helpers/spawn.ts'

export const ADMIN_KEY = 'mg_admin_browser-test-key'

export interface Platform {
  webUrl: string
  gateway: FakeGateway
  stop: () => Promise<void>
}

/**
 * Starts mobilenet, resnet and resnet-int8 (+ resnet-v1 as resnet's canary when asked), a model
 * that is down, the gateway and `pnpm --dir web start`. Call from beforeAll; stop in afterAll.
 */
export async function startPlatform (opts: { canary?: boolean } = {}): Promise<Platform> {
  const running: Array<ProcessHandle | Spawned> = []
  let gateway: FakeGateway | undefined
  const stop = async (): Promise<void> => {
    await gateway?.close()
    await Promise.all(running.map(async (p) => await p.stop('SIGKILL')))
  }
  try {
    const ids = ['mobilenet', 'resnet', 'resnet-int8']
    const services = await Promise.all(ids.map(async (id) => await startService(id)))
    running.push(...services)
    const models: FakeModel[] = ids.map((id, i) => ({ id, url: services[i]!.url, version: id === 'mobilenet' ? '1.0.0' : '2.0.0' }))
    if (opts.canary === true) {
      const v1 = await startService('resnet', { bundle: 'resnet-v1' })
      running.push(v1)
      models[1]!.canary = { url: v1.url, version: '1.0.0', weight: 10, everyNth: 10 }
    }
    models.push({ id: 'efficientnet', url: `http://127.0.0.1:${await freePort()}`, version: '1.0.0' })

    const webPort = await freePort()
    const webUrl = `http://127.0.0.1:${webPort}`
    gateway = await startFakeGateway({ models, corsOrigin: webUrl, adminKey: ADMIN_KEY })
    const web = spawnProcess('pnpm', ['--silent', '--dir', 'web', 'start'], {
      env: { WEB_PORT: String(webPort), HOST: '127.0.0.1', GATEWAY_URL: gateway.url }
    })
    running.push(web)
    // The first start may build the UI (vite, a few seconds).
    await waitForOk(`${webUrl}/healthz`, web, 120_000)
    return { webUrl, gateway, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
