// The platform's real configuration, read from the code and the repository, for the infra tests to
// hold infra/ against: model ids and ports (services/<id>/service.json), the versions the images pull
// (models/zoo), each process's settings and defaults (its config schema), the images the Dockerfiles
// build and the compose file as compose reads it.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { ConfigSchema as GatewayConfigSchema } from '../../gateway/src/config.ts'
import { ConfigSchema as ModelConfigSchema } from '../../services/model-server/src/config.ts'
import { WebConfigSchema } from '../../web/server/config.ts'
import { ROOT } from '../helpers/spawn.ts'
import { type ImageConfig, imageConfig, parseDockerfile } from './dockerfile.ts'

/** Every model that has a service package: services/<id>/service.json. */
export const MODEL_IDS = readdirSync(join(ROOT, 'services'))
  .filter((id) => id !== 'model-server' && existsSync(join(ROOT, 'services', id, 'service.json')))
  .sort()

export function serviceFile (id: string): { id: string, port: number } {
  return JSON.parse(readFileSync(join(ROOT, 'services', id, 'service.json'), 'utf8')) as { id: string, port: number }
}

/** The version of the model the image pulls (the catalog entry's manifest). */
export function zooVersion (id: string): string {
  const entry = JSON.parse(readFileSync(join(ROOT, 'models/zoo', `${id}.json`), 'utf8')) as { manifest: { version: string } }
  return entry.manifest.version
}

interface Schema { properties: Record<string, { default?: unknown }> }

/** Each process's settings, as its config schema declares them. */
export const SETTINGS = {
  gateway: GatewayConfigSchema as unknown as Schema,
  model: ModelConfigSchema as unknown as Schema,
  web: WebConfigSchema as unknown as Schema
}

export function settingDefault (process: keyof typeof SETTINGS, name: string): unknown {
  const setting = SETTINGS[process].properties[name]
  if (setting === undefined) throw new Error(`${process} has no setting ${name}`)
  return setting.default
}

/** The images infra/docker builds, by the name compose and Kubernetes give them (without registry and tag). */
export function images (): Record<string, ImageConfig> {
  const base = imageConfig(parseDockerfile('base.Dockerfile'), {})
  const model = parseDockerfile('model-service.Dockerfile')
  return {
    'modelgate-base': base,
    'modelgate-gateway': imageConfig(parseDockerfile('gateway.Dockerfile'), {}),
    'modelgate-web': imageConfig(parseDockerfile('web.Dockerfile'), {}),
    ...Object.fromEntries(MODEL_IDS.map((id) => [`modelgate-${id}`, imageConfig(model, { MODEL_ID: id }, base)]))
  }
}

/**
 * Compose's ${VAR}, ${VAR:-default} (default when unset or empty) and ${VAR-default} (default when
 * unset), innermost first, with `vars` as the environment.
 */
function interpolate (value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') {
    let text = value
    for (let previous = ''; previous !== text;) {
      previous = text
      text = text.replace(/\$\{([A-Z0-9_]+)(?:(:?)-([^${}]*))?\}/g, (_, name: string, colon: string | undefined, def: string | undefined) => {
        const set = vars[name]
        return set === undefined || (colon === ':' && set === '') ? def ?? '' : set
      })
    }
    return text
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]))
  return value
}

export interface ComposeService {
  image?: string
  networks?: string[]
  cap_drop?: string[]
  security_opt?: string[]
  init?: boolean
  restart?: string
  logging?: { driver: string, options?: Record<string, string> }
  build?: { context: string, dockerfile: string, args?: Record<string, string>, additional_contexts?: Record<string, string> }
  command?: string[]
  environment?: Record<string, string>
  ports?: string[]
  expose?: string[]
  volumes?: string[]
  tmpfs?: string[]
  read_only?: boolean
  user?: string
  profiles?: string[]
  secrets?: string[]
  healthcheck?: { test: string[], interval?: string, timeout?: string, retries?: number, start_period?: string }
  depends_on?: Record<string, { condition: string }>
  stop_grace_period?: string
}

export interface ComposeFile {
  name: string
  services: Record<string, ComposeService>
  networks?: Record<string, { internal?: boolean } | null>
  secrets?: Record<string, { file: string }>
  volumes?: Record<string, unknown>
}

export const COMPOSE_DIR = join(ROOT, 'infra')

/** infra/compose.yaml with YAML merge keys applied and variables from `vars`, else at their defaults. */
export function composeFile (vars: Record<string, string> = {}): ComposeFile {
  return interpolate(parse(readFileSync(join(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }), vars) as ComposeFile
}

/** `10s`, `1m30s` → milliseconds. */
export function durationMs (value: string): number {
  let ms = 0
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']
  }
  return ms
}

/** The image name without registry and tag: ghcr.io/acme/modelgate-resnet:1.0 → modelgate-resnet. */
export function imageName (ref: string): string {
  const withoutDigest = ref.split('@')[0] ?? ref
  const last = withoutDigest.split('/').at(-1) ?? withoutDigest
  return last.split(':')[0] ?? last
}

/**
 * The gateway log fields the dashboard's Loki queries read after `| json`, by the message (`msg = "…"`)
 * each query selects, sorted; the fields Alloy makes labels of are read on every line.
 */
export function dashboardLogFields (): Record<string, string[]> {
  const dashboard = JSON.parse(readFileSync(join(COMPOSE_DIR, 'compose/grafana/dashboards/modelgate.json'), 'utf8')) as { panels: Array<{ datasource?: { uid: string }, targets?: Array<{ expr: string }> }> }
  const queries = dashboard.panels.filter((p) => p.datasource?.uid === 'loki').flatMap((p) => p.targets ?? []).map((t) => t.expr)
  const alloy = readFileSync(join(COMPOSE_DIR, 'compose/alloy/config.alloy'), 'utf8')
  const labels = [...(/expressions\s*=\s*\{([^}]*)\}/.exec(alloy)?.[1] ?? '').matchAll(/"(\w+)"/g)].map((m) => m[1]!)
  const byMessage: Record<string, string[]> = {}
  for (const query of queries) {
    const msg = /\| json \| msg = "([^"]+)"/.exec(query)?.[1]
    if (msg === undefined) throw new Error(`the Loki query ${query} does not select one log message (| json | msg = "…")`)
    const fields = [
      ...[...(query.split('| json')[1] ?? '').matchAll(/(\w+)\s*(?:!=|>=|<=|==|=~|!~|=|>|<)|unwrap (\w+)/g)].map((m) => m[1] ?? m[2] ?? ''),
      ...[...query.matchAll(/by \(([\w, ]+)\)/g)].flatMap((m) => m[1]!.split(/,\s*/))
    ]
    byMessage[msg] = [...new Set([...(byMessage[msg] ?? labels), ...fields])]
  }
  for (const msg of Object.keys(byMessage)) byMessage[msg] = byMessage[msg]!.filter((f) => f !== '' && f !== 'msg' && !f.startsWith('__')).sort()
  return byMessage
}

export const K8S = join(ROOT, 'infra/k8s')

export interface EnvVar { name: string, value?: string, valueFrom?: { secretKeyRef?: { name: string, key: string } } }
export interface Probe { httpGet?: { path: string, port: string | number } }
export interface Container {
  name: string
  image: string
  ports?: Array<{ name: string, containerPort: number }>
  env?: EnvVar[]
  startupProbe?: Probe
  readinessProbe?: Probe
  livenessProbe?: Probe
  lifecycle?: { preStop?: { exec?: { command: string[] } } }
  resources?: { requests?: Record<string, string>, limits?: Record<string, string> }
  securityContext?: { runAsUser?: number, runAsNonRoot?: boolean, allowPrivilegeEscalation?: boolean, readOnlyRootFilesystem?: boolean, privileged?: boolean, capabilities?: { drop?: string[] } }
  volumeMounts?: Array<{ name: string, mountPath: string, subPath?: string }>
}
export interface PodSpec {
  containers: Container[]
  securityContext?: { runAsUser?: number, runAsNonRoot?: boolean }
  terminationGracePeriodSeconds?: number
  volumes?: Array<{ name: string, configMap?: { name: string } }>
}
export interface K8sObject {
  kind: string
  metadata: { name: string, labels?: Record<string, string> }
  spec?: any
  data?: Record<string, string>
  stringData?: Record<string, string>
}

/** An overlay of infra/k8s as `kubectl kustomize` renders it (offline): the objects it would apply. */
export function renderOverlay (overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(K8S, 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return parseAllDocuments(out).map((d) => d.toJSON() as K8sObject).filter((o) => o !== null)
}
