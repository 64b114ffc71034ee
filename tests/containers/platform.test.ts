// The whole platform run from its images with compose.yaml's settings (compose.ts): hardened
// containers, the model services on an internal network, a key made by the gateway image's keys
// command, every model classifying the shared photos through the gateway container, the web
// container's page, and a model container stopped while a request is in flight.
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { modelIds } from '../../scripts/images/build.ts'
import { type Docker, findDocker, run } from '../../scripts/images/docker.ts'
import { postPhotoInHalves, reference } from '../helpers/reference.ts'
import { expectReferenceAnswers } from '../helpers/service-expectations.ts'
import { SHARED_MODELS, freePort } from '../helpers/spawn.ts'
import { type PodSpec, imageName, renderOverlay, serviceFile } from '../infra/platform.ts'
import { type ComposeProject, composeProject } from './compose.ts'
import { ensureBaseImages } from './engine.ts'
import { imagesBuild } from './images.ts'

const skip = inject('containersSkip')
const MODELS = modelIds()
const OURS = ['gateway', 'web', ...MODELS]

interface Inspected {
  Config: { User: string }
  State: { Status: string, ExitCode: number }
  HostConfig: { ReadonlyRootfs: boolean, CapDrop: string[] | null, SecurityOpt: string[] | null, Init: boolean | null, Tmpfs: Record<string, string> | null }
  Mounts: Array<{ Type: string, Destination: string, RW: boolean }>
  NetworkSettings: { Networks: Record<string, { IPAddress: string }>, Ports: Record<string, unknown[] | null> | null }
}

describe.skipIf(skip !== undefined)('the platform from its images, with compose.yaml\'s settings', () => {
  let docker: Docker
  let project: ComposeProject
  let gatewayUrl: string
  let webUrl: string
  let gatewayPort: number
  let key: string
  let upstreamsDir: string
  let serviceTokenFile: string

  const inspect = async (service: string): Promise<Inspected> => {
    const res = await run(docker.cli, ['inspect', project.container(service)], { env: docker.env })
    return (JSON.parse(res.stdout) as Inspected[])[0]!
  }
  /** Runs `node -e <script>` in a service's container; the exit code and what it printed. */
  const nodeIn = async (service: string, script: string): Promise<{ code: number, output: string }> => {
    const res = await run(docker.cli, ['exec', project.container(service), 'node', '-e', script], { env: docker.env, timeoutMs: 30_000 })
    return { code: res.code, output: res.stdout + res.stderr }
  }

  beforeAll(async () => {
    docker = await findDocker()
    await ensureBaseImages(docker)
    const build = await imagesBuild(['--models-from', SHARED_MODELS])
    if (build.code !== 0) throw new Error(`pnpm images build failed:\n${build.output.slice(-4000)}`)
    // The images hold the shared bundles, whose versions differ from the zoo's in compose's routing table.
    upstreamsDir = mkdtempSync(join(tmpdir(), 'mg-upstreams-'))
    const models = Object.fromEntries(MODELS.map((id) => [id, { stable: { version: reference.bundles[id]!.version, replicas: [`http://${id}:${serviceFile(id).port}`] } }]))
    writeFileSync(join(upstreamsDir, 'upstreams.json'), JSON.stringify({ models }), { mode: 0o644 })
    // Readable by the gateway's uid 1000, as a checkout's infra/compose/gateway is.
    chmodSync(upstreamsDir, 0o755)
    // compose's service_token secret: read by uid 1000 in the gateway and model containers.
    serviceTokenFile = join(upstreamsDir, 'service-token')
    writeFileSync(serviceTokenFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 })
    chownSync(serviceTokenFile, 1000, 1000)
    gatewayPort = await freePort()
    const webPort = await freePort()
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`
    webUrl = `http://127.0.0.1:${webPort}`
    project = composeProject(docker, `mgtest${process.pid}`, {
      MODELGATE_GATEWAY_PORT: String(gatewayPort),
      MODELGATE_WEB_PORT: String(webPort),
      MODELGATE_UPSTREAMS_DIR: upstreamsDir,
      MODELGATE_SERVICE_TOKEN_FILE: serviceTokenFile
    })
    await project.down()
    await project.up()
    // docs/operations.md: a key from the gateway image's own keys command, in its container.
    const made = await run(docker.cli, ['exec', project.container('gateway'), 'node', '--import', 'tsx', 'src/cli/keys.ts', 'create', '--name', 'containers'], { env: docker.env })
    expect(made.code, made.stderr).toBe(0)
    key = made.stdout.trim().split('\n').at(-1) ?? ''
  }, 45 * 60_000)

  afterAll(async () => {
    await project?.down()
    if (upstreamsDir !== undefined) rmSync(upstreamsDir, { recursive: true, force: true })
  }, 120_000)

  it.each(OURS)('%s runs read-only as uid 1000, with no capabilities, no-new-privileges and an init', async (service) => {
    const c = await inspect(service)
    expect(c.State.Status).toBe('running')
    expect(c.HostConfig.ReadonlyRootfs).toBe(true)
    expect(c.Config.User).toBe('1000:1000')
    expect(c.HostConfig.CapDrop).toEqual(['ALL'])
    expect(c.HostConfig.SecurityOpt).toContain('no-new-privileges:true')
    expect(c.HostConfig.Init).toBe(true)
    expect(Object.keys(c.HostConfig.Tmpfs ?? {})).toEqual(['/tmp'])
  })

  it.each(MODELS)('%s: no model mounted (only the token), no port published, only on the internal models network', async (id) => {
    const c = await inspect(id)
    // The one mount is compose's service_token secret, read-only.
    expect(c.Mounts.map((m) => [m.Destination, m.RW])).toEqual([['/run/secrets/service_token', false]])
    expect(Object.values(c.NetworkSettings.Ports ?? {}).filter((bindings) => bindings !== null)).toEqual([])
    expect(Object.keys(c.NetworkSettings.Networks)).toEqual([`${project.name}_models`])
    const network = await run(docker.cli, ['network', 'inspect', '--format', '{{.Internal}}', `${project.name}_models`], { env: docker.env })
    expect(network.stdout.trim()).toBe('true')
  })

  it('lets only the gateway reach a model service: from the web container it cannot be reached', async () => {
    const resnet = `http://resnet:${serviceFile('resnet').port}`
    const statusOf = (path: string, headers = '{}'): string => `fetch('${resnet}${path}', { headers: ${headers} }).then((r) => { console.log(r.status) }, () => process.exit(1))`
    // From the gateway's container: the probes are open, the rest wants the token the gateway holds.
    expect((await nodeIn('gateway', statusOf('/readyz'))).output.trim()).toBe('200')
    expect((await nodeIn('gateway', statusOf('/metadata'))).output.trim()).toBe('401')
    const token = readFileSync(serviceTokenFile, 'utf8').trim()
    expect((await nodeIn('gateway', statusOf('/metadata', `{ authorization: 'Bearer ${token}' }`))).output.trim()).toBe('200')
    // By address, so no name lookup leaves the machine: the web container has no route to the models network.
    const address = Object.values((await inspect('resnet')).NetworkSettings.Networks)[0]!.IPAddress
    const probe = await nodeIn('web', `fetch('http://${address}:${serviceFile('resnet').port}/healthz', { signal: AbortSignal.timeout(3000) })` +
      '.then(() => process.exit(0), (e) => { console.log(e.cause?.code ?? e.name); process.exit(1) })')
    expect(probe.code, probe.output).toBe(1)
  })

  it.each(MODELS)('%s classifies the shared photos through the gateway container as the reference does', async (id) => {
    await expectReferenceAnswers(`${gatewayUrl}/model/${id}/predict`, id, { authorization: `Bearer ${key}` })
  })

  it('the web container serves the page with the gateway address the browser uses', async () => {
    const res = await fetch(webUrl)
    expect(res.status).toBe(200)
    const gateway = `http://localhost:${gatewayPort}`
    expect(await res.text()).toContain(`<meta name="modelgate-gateway" content="${gateway}">`)
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${gateway}`)
  })

  it('compose\'s base service only starts and exits 0', async () => {
    expect((await inspect('base')).State).toMatchObject({ Status: 'exited', ExitCode: 0 })
  })

  it('the Kubernetes dev overlay runs these very images, and each probe and preStop hook works in its container', async () => {
    const deployments = renderOverlay('dev').filter((o) => o.kind === 'Deployment')
    const ours = deployments.flatMap((d) => (d.spec.template.spec as PodSpec).containers.map((c) => ({ deployment: d.metadata.name, container: c })))
      .filter(({ container }) => imageName(container.image).startsWith('modelgate-'))
    expect(ours.map(({ deployment }) => deployment).sort()).toEqual([...OURS].sort())
    // Side by side: each preStop hook sleeps a few seconds.
    await Promise.all(ours.map(async ({ deployment, container }) => {
      // The image the pod would run is the one built here, under the same name and tag.
      expect((await run(docker.cli, ['image', 'inspect', container.image], { env: docker.env })).code, container.image).toBe(0)
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
        if (probe?.httpGet === undefined) continue
        const { path, port } = probe.httpGet
        const number = typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort
        const answer = await nodeIn(deployment, `fetch('http://127.0.0.1:${String(number)}${path}').then((r) => process.exit(r.status === 200 ? 0 : 2), () => process.exit(1))`)
        expect(answer.code, `${deployment}: GET ${path} on ${String(port)} (${String(number)})`).toBe(0)
      }
      const preStop = container.lifecycle?.preStop?.exec?.command
      if (preStop !== undefined) {
        const hook = await run(docker.cli, ['exec', project.container(deployment), ...preStop], { env: docker.env, timeoutMs: 30_000 })
        expect(hook.code, `${deployment}: preStop ${preStop.join(' ')}: ${hook.stderr}`).toBe(0)
      }
    }))
  }, 120_000)

  // Last: it stops the resnet container.
  it('docker stop on a model container lets the request in flight finish, exits 0, and the gateway marks it down', async () => {
    // Half the photo reaches the service through the gateway; the rest once the container is stopping.
    const { status, body } = await postPhotoInHalves(`${gatewayUrl}/model/resnet/predict`, 'cat_720p.jpg', {
      headers: { authorization: `Bearer ${key}` },
      pauseMs: 500,
      meanwhile: () => { void run(docker.cli, ['stop', project.container('resnet')], { env: docker.env }) },
      restAfterMs: 1000
    })
    expect(status, body).toBe(200)
    expect((JSON.parse(body) as { predictions: Array<{ label: string }> }).predictions[0]?.label).toBe('cat')

    const deadline = Date.now() + 30_000
    while ((await inspect('resnet')).State.Status !== 'exited' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await inspect('resnet')).State).toMatchObject({ Status: 'exited', ExitCode: 0 })
    let status2 = ''
    while (Date.now() < deadline) {
      status2 = ((await (await fetch(`${gatewayUrl}/models/resnet`)).json()) as { status: string }).status
      if (status2 === 'down') break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(status2).toBe('down')
    const logs = await run(docker.cli, ['logs', project.container('gateway')], { env: docker.env })
    expect(logs.stdout + logs.stderr).toMatch(/"upstream":"http:\/\/resnet:\d+".*"msg":"replica down"/)
  }, 120_000)
})
