// infra/compose.yaml and the ops profile's files, read as compose, Prometheus, Alloy and Grafana read
// them, and held against the Dockerfiles, the services' ports and settings and the gateway's own
// upstreams parser. (No compose binary runs here: this is the check.)
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseUpstreams } from '../../gateway/src/config.ts'
import { ROOT } from '../helpers/spawn.ts'
import { COMPOSE_DIR, type ComposeService, MODEL_IDS, SETTINGS, composeFile, dashboardLogFields, durationMs, imageName, images, serviceFile, settingDefault, zooVersion } from './platform.ts'

const compose = composeFile()
const services = compose.services
const built = images()
const OURS: Record<string, keyof typeof SETTINGS> = { gateway: 'gateway', web: 'web', ...Object.fromEntries(MODEL_IDS.map((id) => [id, 'model' as const])) }

function service (name: string): ComposeService {
  const found = services[name]
  if (found === undefined) throw new Error(`compose.yaml has no service ${name}`)
  return found
}

/** "127.0.0.1:8080:8080" → { host: '127.0.0.1', published: 8080, target: 8080 } */
function port (spec: string): { host: string, published: number, target: number } {
  const [host = '', published = '', target = ''] = spec.split(':')
  return { host, published: Number(published), target: Number(target) }
}

function mountTarget (svc: ComposeService, path: string): { source: string, target: string } | undefined {
  return (svc.volumes ?? []).map((v) => v.split(':')).map(([source = '', target = '']) => ({ source, target }))
    .find((m) => path === m.target || path.startsWith(`${m.target}/`))
}

describe('compose.yaml: images', () => {
  it('builds from existing Dockerfiles with the repository root as context', () => {
    for (const [name, svc] of Object.entries(services).filter(([, s]) => s.build !== undefined)) {
      expect(resolve(COMPOSE_DIR, svc.build!.context), name).toBe(resolve(ROOT))
      expect(existsSync(join(ROOT, svc.build!.dockerfile)), `${name}: ${svc.build!.dockerfile}`).toBe(true)
      expect(imageName(svc.image ?? ''), name).toBe(name === 'base' ? 'modelgate-base' : `modelgate-${name}`)
    }
  })

  it('runs every model with a service package, each built from the one model-service Dockerfile on the shared base', () => {
    const modelServices = Object.entries(services).filter(([, s]) => s.build?.dockerfile === 'infra/docker/model-service.Dockerfile')
    expect(modelServices.map(([name]) => name).sort()).toEqual(MODEL_IDS)
    for (const [name, svc] of modelServices) {
      expect(svc.build!.args?.MODEL_ID).toBe(name)
      expect(svc.build!.args).toHaveProperty('MODELS_FROM')
      expect(svc.build!.additional_contexts).toEqual({ 'modelgate-base': 'service:base' })
    }
    expect(service('base').build?.dockerfile).toBe('infra/docker/base.Dockerfile')
  })

  it('exposes each model on its service.json port', () => {
    for (const id of MODEL_IDS) expect(service(id).expose).toEqual([String(serviceFile(id).port)])
  })

  it('publishes the gateway and the web UI on the ports their images listen on, on loopback by default', () => {
    expect(service('gateway').ports?.map(port)).toEqual([{ host: '127.0.0.1', published: 8080, target: Number(built['modelgate-gateway']!.env.PORT) }])
    expect(service('web').ports?.map(port)).toEqual([{ host: '127.0.0.1', published: 3000, target: Number(built['modelgate-web']!.env.WEB_PORT) }])
  })
})

describe('compose.yaml: configuration', () => {
  it.each(Object.keys(OURS))('%s sets only settings its process has', (name) => {
    const known = Object.keys(SETTINGS[OURS[name]!].properties)
    for (const variable of Object.keys(service(name).environment ?? {})) expect(known, `${name}: ${variable}`).toContain(variable)
  })

  it('routes the gateway to the model services by compose name and service.json port, at the versions the images pull', () => {
    const gateway = service('gateway')
    const path = gateway.environment?.GATEWAY_UPSTREAMS ?? ''
    const mount = mountTarget(gateway, path)
    expect(mount, `${path} is not on a mounted folder`).toBeDefined()
    // A folder, not a single file: a bind-mounted file keeps the old inode when an editor replaces it.
    expect(mount!.target).not.toBe(path)
    const file = join(COMPOSE_DIR, mount!.source, path.slice(mount!.target.length))
    const upstreams = parseUpstreams(JSON.parse(readFileSync(file, 'utf8')), file)
    expect(Object.keys(upstreams.models).sort()).toEqual(MODEL_IDS)
    for (const [id, entry] of Object.entries(upstreams.models)) {
      expect(entry.stable.version).toBe(zooVersion(id))
      expect(entry.stable.replicas).toEqual([`http://${id}:${serviceFile(id).port}`])
    }
  })

  it('shares rate limits through the redis service and keeps the gateway\'s data on a volume', () => {
    const gateway = service('gateway')
    expect(new URL(gateway.environment?.REDIS_URL ?? '').host).toBe(`redis:${String(service('redis').expose?.[0])}`)
    const data = mountTarget(gateway, built['modelgate-gateway']!.env.DATA_DIR ?? '-')
    expect(Object.keys(compose.volumes ?? {})).toContain(data?.source)
  })

  it('lets the page call the gateway: GATEWAY_URL is the published gateway, CORS_ORIGIN the published page', () => {
    expect(service('web').environment?.GATEWAY_URL).toBe(`http://localhost:${port(service('gateway').ports![0]!).published}`)
    expect(service('gateway').environment?.CORS_ORIGIN).toBe(`http://localhost:${port(service('web').ports![0]!).published}`)
  })
})

describe('compose.yaml: networks and the service token', () => {
  const on = (network: string): string[] => Object.entries(services).filter(([, s]) => (s.networks ?? ['default']).includes(network)).map(([name]) => name).sort()

  it('keeps the model services on an internal network, shared only with the gateway and Prometheus', () => {
    expect(compose.networks?.models?.internal).toBe(true)
    for (const id of MODEL_IDS) expect(service(id).networks, id).toEqual(['models'])
    expect(on('models')).toEqual([...MODEL_IDS, 'gateway', 'prometheus'].sort())
  })

  it('keeps redis on an internal network with the gateway alone', () => {
    expect(compose.networks?.state?.internal).toBe(true)
    expect(on('state')).toEqual(['gateway', 'redis'])
  })

  it('gives the service token to the gateway, the model services and Prometheus alone, as a secret file, never a value', () => {
    const holders = Object.entries(services).filter(([, s]) => s.secrets?.includes('service_token')).map(([name]) => name).sort()
    expect(holders).toEqual([...MODEL_IDS, 'gateway', 'prometheus'].sort())
    for (const name of holders.filter((n) => n !== 'prometheus')) {
      expect(service(name).environment?.SERVICE_TOKEN_FILE, name).toBe('/run/secrets/service_token')
      expect(service(name).environment?.SERVICE_TOKEN, name).toBeUndefined()
    }
    // Made on each host and never committed.
    expect(readFileSync(join(COMPOSE_DIR, compose.secrets?.service_token?.file ?? '-', '../.gitignore'), 'utf8')).toMatch(/^\*$/m)
  })

  it('publishes ports only from services on the default network', () => {
    for (const [name, svc] of Object.entries(services).filter(([, s]) => (s.ports ?? []).length > 0)) {
      expect(svc.networks ?? ['default'], name).toContain('default')
    }
  })
})

describe('compose.yaml: start order, health and shutdown', () => {
  it('waits only on health that is checked (a compose healthcheck or the image\'s HEALTHCHECK)', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        const target = service(dep)
        if (condition !== 'service_healthy') continue
        const imageCheck = built[imageName(target.image ?? '')]?.healthcheck
        expect(target.healthcheck ?? imageCheck, `${name} waits for ${dep} to be healthy`).toBeDefined()
      }
    }
    expect(service('gateway').depends_on).toMatchObject({ redis: { condition: 'service_healthy' }, ...Object.fromEntries(MODEL_IDS.map((id) => [id, { condition: 'service_healthy' }])) })
    expect(service('web').depends_on).toMatchObject({ gateway: { condition: 'service_healthy' } })
  })

  it.each(Object.keys(OURS))('%s runs read-only with a writable /tmp and no capabilities', (name) => {
    const svc = service(name)
    expect(svc.read_only).toBe(true)
    expect(svc.tmpfs).toContain('/tmp')
    expect(svc.cap_drop).toEqual(['ALL'])
  })

  it.each(Object.keys(OURS))('%s gets time to drain before it is killed', (name) => {
    const svc = service(name)
    const grace = Number(svc.environment?.SHUTDOWN_GRACE_MS ?? settingDefault(OURS[name]!, 'SHUTDOWN_GRACE_MS'))
    expect(durationMs(svc.stop_grace_period ?? '10s')).toBeGreaterThan(grace)
  })

  it('runs redis as a non-root user, with nothing saved', () => {
    expect(service('redis').user).toMatch(/^[1-9]\d*:[1-9]\d*$/)
    expect(service('redis').healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping'])
  })
})

describe('compose.yaml: the ops profile', () => {
  const ops = Object.entries(services).filter(([, s]) => s.profiles?.includes('ops')).map(([name]) => name).sort()
  const prometheus = parse(readFileSync(join(COMPOSE_DIR, 'compose/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{ job_name: string, metrics_path: string, authorization?: { type: string, credentials_file: string }, static_configs: Array<{ targets: string[] }> }>
  }
  const job = (name: string): (typeof prometheus.scrape_configs)[number] => prometheus.scrape_configs.find((j) => j.job_name === name)!

  it('adds Prometheus, Loki, Alloy and Grafana, and nothing else', () => {
    expect(ops).toEqual(['alloy', 'grafana', 'loki', 'prometheus'])
  })

  it('scrapes the gateway with an admin key from a compose secret, and every model service', () => {
    expect(job('gateway').static_configs[0]?.targets).toEqual([`gateway:${String(built['modelgate-gateway']!.env.PORT)}`])
    expect(job('gateway').authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/metrics_key' })
    expect(service('prometheus').secrets).toEqual(['metrics_key', 'service_token'])
    expect(job('model-services').authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/service_token' })
    const secretFile = compose.secrets?.metrics_key?.file ?? ''
    // The key is made on each host and never committed.
    expect(readFileSync(join(COMPOSE_DIR, secretFile, '../.gitignore'), 'utf8')).toMatch(/^\*$/m)
    expect(job('model-services').static_configs[0]?.targets.sort()).toEqual(MODEL_IDS.map((id) => `${id}:${serviceFile(id).port}`).sort())
  })

  it('ships this project\'s container logs to the loki service and points Grafana at both stores', () => {
    const alloy = readFileSync(join(COMPOSE_DIR, 'compose/alloy/config.alloy'), 'utf8')
    expect(alloy).toContain(`"com.docker.compose.project=${(parse(readFileSync(join(COMPOSE_DIR, 'compose.yaml'), 'utf8')) as { name: string }).name}"`)
    const loki = parse(readFileSync(join(COMPOSE_DIR, 'compose/loki/loki.yaml'), 'utf8')) as { server: { http_listen_port: number } }
    expect(alloy).toContain(`url = "http://loki:${loki.server.http_listen_port}/loki/api/v1/push"`)
    const sources = parse(readFileSync(join(COMPOSE_DIR, 'compose/grafana/provisioning/datasources/datasources.yaml'), 'utf8')) as { datasources: Array<{ uid: string, url: string }> }
    expect(sources.datasources.map((d) => [d.uid, d.url])).toEqual([['prometheus', 'http://prometheus:9090'], ['loki', `http://loki:${loki.server.http_listen_port}`]])
  })

  it('provisions the dashboard, whose panels use those data sources and the labels Alloy sets', () => {
    const dashboard = JSON.parse(readFileSync(join(COMPOSE_DIR, 'compose/grafana/dashboards/modelgate.json'), 'utf8')) as { panels: Array<{ type: string, datasource?: { uid: string }, targets?: Array<{ expr: string }> }> }
    const panels = dashboard.panels.filter((p) => p.type !== 'row')
    expect(panels.length).toBeGreaterThanOrEqual(10)
    for (const panel of panels) expect(['prometheus', 'loki']).toContain(panel.datasource?.uid)
    const alloy = readFileSync(join(COMPOSE_DIR, 'compose/alloy/config.alloy'), 'utf8')
    const lokiQueries = panels.filter((p) => p.datasource?.uid === 'loki').flatMap((p) => p.targets ?? []).map((t) => t.expr)
    for (const selector of lokiQueries.flatMap((q) => [...q.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? ''))) {
      for (const [, label] of selector.matchAll(/(\w+)\s*=~?/g)) expect(alloy, `label ${label}`).toMatch(new RegExp(`target_label\\s*=\\s*"${label}"|${label} = ""`))
    }
  })

  it('reads only log fields that docs/logging.md documents (the dashboards\' contract)', () => {
    const logging = readFileSync(join(ROOT, 'docs/logging.md'), 'utf8')
    const fields = Object.values(dashboardLogFields()).flat()
    expect(fields.length).toBeGreaterThan(3)
    for (const field of fields) expect(logging, field).toContain(`| \`${field}\` |`)
  })
})
