// Every overlay in infra/k8s rendered with `kubectl kustomize` (offline), and the objects it would
// apply held against the services: one Deployment, Service, autoscaler and disruption budget per
// model, probes on the routes and ports the processes serve, the same image names as compose, and no
// container that runs as root or can write its image.
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { parseUpstreams } from '../../gateway/src/config.ts'
import { ROOT } from '../helpers/spawn.ts'
import { type Container, type EnvVar, K8S, type K8sObject, MODEL_IDS, type PodSpec, SETTINGS, composeFile, imageName, renderOverlay, serviceFile, settingDefault, zooVersion } from './platform.ts'

const OVERLAYS = readdirSync(join(K8S, 'overlays')).sort()

function env (container: Container, name: string): EnvVar | undefined {
  return container.env?.find((e) => e.name === name)
}

function memoryBytes (quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(quantity)
  if (match === null) throw new Error(`unexpected memory quantity ${quantity}`)
  return Number(match[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? 1)
}

// docs/operations.md, "Sizing": the measured peak of a service with a 224x224 model (MobileNetV2,
// 13.3 MiB) and the measured cost of each further MiB of weights; requests are the peak + 20 %.
const MEASURED_PEAK_MIB = 467
const MEASURED_MODEL_MIB = 13.3
const RSS_PER_MODEL_MIB = 3.2

function zooModelMiB (id: string): number {
  const entry = JSON.parse(readFileSync(join(ROOT, 'models/zoo', `${id}.json`), 'utf8')) as { manifest: { bytes: number } }
  return entry.manifest.bytes / 1024 ** 2
}

// The routes the kit's health plugin serves in every process.
const HEALTH_SOURCE = readFileSync(join(ROOT, 'packages/server-kit/src/health.ts'), 'utf8')
const composeImages = Object.fromEntries(Object.entries(composeFile().services).map(([name, s]) => [name, imageName(s.image ?? '')]))
const PROCESS_OF: Record<string, keyof typeof SETTINGS> = { gateway: 'gateway', web: 'web', 'model-service': 'model' }

interface LabelSelector { matchLabels?: Record<string, string>, matchExpressions?: Array<{ key: string, operator: string, values?: string[] }> }
interface NetworkPolicySpec {
  podSelector: LabelSelector
  policyTypes: string[]
  ingress?: Array<{ from?: unknown[], ports?: Array<{ port: string | number }> }>
  egress?: Array<{ to?: unknown[], ports?: Array<{ port: string | number, protocol?: string }> }>
}

/** Whether a label selector picks pods with these labels (matchLabels, and In / NotIn / Exists). */
function selects (selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value)
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) =>
    operator === 'In' ? values.includes(labels[key] ?? '') : operator === 'NotIn' ? !values.includes(labels[key] ?? '') : operator === 'Exists' ? key in labels : !(key in labels))
  return byLabel && byExpression
}

/** overlays/prod/gateway-secret.example.yaml: the Secrets production needs, with placeholder values. */
function secretExamples (): K8sObject[] {
  return parseAllDocuments(readFileSync(join(K8S, 'overlays/prod/gateway-secret.example.yaml'), 'utf8')).map((d) => d.toJSON() as K8sObject)
}

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = renderOverlay(overlay)
  const find = (kind: string, name: string): K8sObject[] => objects.filter((o) => o.kind === kind && o.metadata.name === name)
  const deployments = objects.filter((o) => o.kind === 'Deployment')
  const pod = (name: string): PodSpec => find('Deployment', name)[0]?.spec.template.spec as PodSpec

  it('renders', () => {
    expect(OVERLAYS).toEqual(['dev', 'prod'])
    expect(deployments.length).toBeGreaterThanOrEqual(MODEL_IDS.length + 2)
  })

  it.each(MODEL_IDS)('runs %s as its own Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget', (id) => {
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) expect(find(kind, id), kind).toHaveLength(1)
    const deployment = find('Deployment', id)[0]!
    const podLabels = deployment.spec.template.metadata.labels as Record<string, string>
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': id })
    for (const selector of [find('Service', id)[0]!.spec.selector, find('PodDisruptionBudget', id)[0]!.spec.selector.matchLabels]) {
      expect(podLabels).toMatchObject(selector as Record<string, string>)
    }
    // Only this model's pods: no other Deployment's pods carry its name label.
    expect(deployments.filter((d) => d.spec.template.metadata.labels['app.kubernetes.io/name'] === id)).toHaveLength(1)
    const hpa = find('HorizontalPodAutoscaler', id)[0]!.spec
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: id })
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(1)
    expect(hpa.maxReplicas).toBeGreaterThanOrEqual(hpa.minReplicas)
    // The autoscaler owns the count; a replicas field would be reset on every apply.
    expect(deployment.spec.replicas).toBeUndefined()
  })

  it.each(MODEL_IDS)('serves %s on service.json\'s port from the image compose builds', (id) => {
    const [container] = pod(id).containers
    expect(imageName(container!.image)).toBe(composeImages[id])
    expect(container!.ports).toEqual([{ name: 'http', containerPort: serviceFile(id).port }])
    expect(find('Service', id)[0]!.spec.ports).toEqual([{ name: 'http', port: serviceFile(id).port, targetPort: 'http' }])
    expect(env(container!, 'PORT')).toBeUndefined()
  })

  it.each(MODEL_IDS)('sizes %s\'s memory from the measured figures, scaled by its zoo model\'s size', (id) => {
    const { requests, limits } = pod(id).containers[0]!.resources ?? {}
    const peakMiB = MEASURED_PEAK_MIB + RSS_PER_MODEL_MIB * (zooModelMiB(id) - MEASURED_MODEL_MIB)
    expect(memoryBytes(requests?.memory ?? '0') / 1024 ** 2).toBeGreaterThanOrEqual(peakMiB * 1.2)
    expect(memoryBytes(limits?.memory ?? '0')).toBeGreaterThanOrEqual(memoryBytes(requests?.memory ?? '0') + 256 * 1024 ** 2)
  })

  it.each([...MODEL_IDS, 'gateway', 'web'])('probes %s on /healthz and /readyz of a port it listens on', (name) => {
    for (const container of pod(name).containers) {
      const ports = (container.ports ?? []).map((p) => p.name)
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz')
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz')
      if (MODEL_IDS.includes(name)) expect(container.startupProbe?.httpGet?.path).toBe('/readyz')
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe].filter((p) => p !== undefined)) {
        expect(ports).toContain(probe.httpGet?.port)
        expect(HEALTH_SOURCE).toContain(`app.get('${probe.httpGet?.path ?? '-'}'`)
      }
    }
  })

  it('runs no container as root, none can gain privileges or write its image', () => {
    for (const deployment of deployments) {
      const spec = deployment.spec.template.spec as PodSpec
      for (const container of spec.containers) {
        const where = `${deployment.metadata.name}/${container.name}`
        expect(container.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot, where).toBe(true)
        expect(container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser, where).toBeGreaterThan(0)
        expect(container.securityContext, where).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
        expect(container.securityContext?.privileged, where).not.toBe(true)
      }
    }
  })

  it('sets only settings each process has, and gives each time to drain (preStop + SHUTDOWN_GRACE_MS)', () => {
    for (const deployment of deployments) {
      const spec = deployment.spec.template.spec as PodSpec
      for (const container of spec.containers) {
        const process = PROCESS_OF[container.name]
        const resources = container.resources
        expect(memoryBytes(resources?.limits?.memory ?? '0'), container.name).toBeGreaterThanOrEqual(memoryBytes(resources?.requests?.memory ?? '1Ki'))
        if (process === undefined) continue
        for (const variable of container.env ?? []) expect(Object.keys(SETTINGS[process].properties), `${container.name}: ${variable.name}`).toContain(variable.name)
        const graceMs = Number(env(container, 'SHUTDOWN_GRACE_MS')?.value ?? settingDefault(process, 'SHUTDOWN_GRACE_MS'))
        const [sleep, seconds] = container.lifecycle?.preStop?.exec?.command ?? []
        expect(sleep).toBe('sleep')
        expect((spec.terminationGracePeriodSeconds ?? 30) * 1000, deployment.metadata.name).toBeGreaterThanOrEqual(Number(seconds) * 1000 + graceMs + 5000)
      }
    }
  })

  it('runs several gateways sharing Redis, PostgreSQL and one signing key from a Secret', () => {
    const gateway = find('Deployment', 'gateway')[0]!
    const [container] = (gateway.spec.template.spec as PodSpec).containers
    expect(imageName(container!.image)).toBe(composeImages.gateway)
    expect(imageName(pod('web').containers[0]!.image)).toBe(composeImages.web)
    expect(gateway.spec.replicas).toBeGreaterThan(1)
    expect(Number(env(container!, 'GATEWAY_REPLICAS')?.value)).toBeGreaterThan(1)
    const refs = ['REDIS_URL', 'DATABASE_URL', 'SESSION_SIGNING_KEY'].map((name) => env(container!, name)?.valueFrom?.secretKeyRef)
    for (const ref of refs) expect(ref).toBeDefined()
    const secrets = objects.filter((o) => o.kind === 'Secret')
    if (overlay === 'prod') {
      // Production secrets are never in the repository; the example names every key the gateway reads.
      expect(secrets).toEqual([])
      const example = secretExamples().find((o) => o.metadata.name === refs[0]!.name)!
      expect(example.metadata.name).toBe(refs[0]!.name)
      for (const ref of refs) expect(example.stringData?.[ref!.key]).toContain('CHANGE-ME')
    } else {
      const secret = secrets.find((s) => s.metadata.name === refs[0]!.name)
      for (const ref of refs) expect(secret?.data?.[ref!.key], ref!.key).toBeDefined()
      expect(Buffer.from(secret?.data?.['session-signing-key'] ?? '', 'base64').toString()).toMatch(/^dev-only-/)
    }
  })

  it('gives the gateway and every model service the service token from a Secret no manifest holds', () => {
    for (const name of ['gateway', ...MODEL_IDS]) {
      const ref = env(pod(name).containers[0]!, 'SERVICE_TOKEN')?.valueFrom?.secretKeyRef
      expect(ref, name).toEqual({ name: 'modelgate-service-token', key: 'token' })
    }
    expect(find('Secret', 'modelgate-service-token')).toEqual([])
    expect(secretExamples().find((o) => o.metadata.name === 'modelgate-service-token')?.stringData?.token).toContain('CHANGE-ME')
  })

  describe('network policies', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o as K8sObject & { spec: NetworkPolicySpec })
    const labelsOf = (name: string): Record<string, string> => find('Deployment', name)[0]!.spec.template.metadata.labels as Record<string, string>
    const selecting = (labels: Record<string, string>, type: 'Ingress' | 'Egress'): NetworkPolicySpec[] =>
      policies.map((p) => p.spec).filter((spec) => spec.policyTypes.includes(type) && selects(spec.podSelector, labels))
    const ingressSources = (labels: Record<string, string>): unknown[] => selecting(labels, 'Ingress').flatMap((spec) => (spec.ingress ?? []).flatMap((rule) => rule.from ?? [{ anyone: true }]))
    const gatewayPods = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } }

    it('deny every ingress to the namespace unless a policy allows it', () => {
      expect(policies.some((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes.includes('Ingress') && (p.spec.ingress ?? []).length === 0)).toBe(true)
    })

    it.each(MODEL_IDS)('let into %s only the gateway\'s pods and the monitoring selector, on its port', (id) => {
      const sources = ingressSources(labelsOf(id))
      expect(sources).toContainEqual(gatewayPods)
      const others = sources.filter((source) => JSON.stringify(source) !== JSON.stringify(gatewayPods))
      expect(others).toHaveLength(1)
      expect(JSON.stringify(others[0])).toContain('monitoring')
      for (const spec of selecting(labelsOf(id), 'Ingress')) for (const rule of spec.ingress ?? []) expect(rule.ports).toEqual([{ port: 'http' }])
    })

    it('let the Ingress controller (and monitoring) reach the gateway, and only the controller the web UI', () => {
      const controller = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }
      expect(ingressSources(labelsOf('web'))).toEqual([controller])
      const gateway = ingressSources(labelsOf('gateway'))
      expect(gateway).toContainEqual(controller)
      expect(gateway.filter((s) => JSON.stringify(s) !== JSON.stringify(controller)).map((s) => JSON.stringify(s))).toEqual([expect.stringContaining('monitoring')])
    })

    it('let the gateway out to the model services, DNS and its stores, and the web UI nowhere', () => {
      const egress = selecting(labelsOf('gateway'), 'Egress').flatMap((spec) => spec.egress ?? [])
      expect(egress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'model-service' } } }], ports: [{ port: 'http' }] })
      expect(egress.flatMap((rule) => rule.ports ?? []).map((port) => port.port)).toEqual(expect.arrayContaining([53, 5432]))
      expect(selecting(labelsOf('web'), 'Egress').flatMap((spec) => spec.egress ?? [])).toEqual([])
    })
  })

  it('routes the gateway to each model\'s Service from a ConfigMap it reloads without a restart', () => {
    const [container] = pod('gateway').containers
    const path = env(container!, 'GATEWAY_UPSTREAMS')?.value ?? ''
    const mount = container!.volumeMounts?.find((m) => m.mountPath === dirname(path))
    expect(mount?.subPath, 'a subPath mount never sees ConfigMap updates').toBeUndefined()
    const volume = pod('gateway').volumes?.find((v) => v.name === mount?.name)
    const configMap = find('ConfigMap', volume?.configMap?.name ?? '-')[0]
    const file = path.slice(dirname(path).length + 1)
    const upstreams = parseUpstreams(JSON.parse(configMap?.data?.[file] ?? '{}'), `ConfigMap ${configMap?.metadata.name ?? '?'}`)
    expect(Object.keys(upstreams.models).sort()).toEqual(MODEL_IDS)
    for (const [id, entry] of Object.entries(upstreams.models)) {
      expect(entry.stable.version).toBe(zooVersion(id))
      for (const replica of entry.stable.replicas) {
        const url = new URL(replica)
        expect(find('Service', url.hostname)[0]?.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(url.port))
      }
    }
  })

  it('sends the Ingress hosts to the web UI and the gateway, which name each other by those hosts', () => {
    const ingress = objects.find((o) => o.kind === 'Ingress')!
    const hosts: Record<string, string> = {}
    for (const rule of ingress.spec.rules as Array<{ host: string, http: { paths: Array<{ backend: { service: { name: string, port: { name: string } } } }> } }>) {
      for (const { backend } of rule.http.paths) {
        const target = find('Service', backend.service.name)[0]
        expect(target?.spec.ports.map((p: { name: string }) => p.name)).toContain(backend.service.port.name)
        hosts[backend.service.name] = rule.host
      }
    }
    expect(new URL(env(pod('web').containers[0]!, 'GATEWAY_URL')?.value ?? '').host).toBe(hosts.gateway)
    expect(new URL(env(pod('gateway').containers[0]!, 'CORS_ORIGIN')?.value ?? '').host).toBe(hosts.web)
  })
})
