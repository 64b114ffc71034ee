// Runs infra/compose.yaml's services with the docker CLI, setting by setting, as Compose v2 would.
// No compose implementation here can run the file itself: Debian's docker-compose 1.29 refuses the
// top-level `name` and the `additional_contexts` that Compose v2 needs, and podman-compose 1.0.3
// ignores both `name` and the `depends_on` conditions, and drives podman, whose bridge networks turn
// on IP forwarding and NAT (netavark's defaults), which this machine must not. Each key of a service this
// starts is applied or refused (UNHANDLED), never silently dropped; images are built beforehand by
// `pnpm images build` under the names the file gives them.
import { resolve } from 'node:path'
import { type Docker, run } from '../../scripts/images/docker.ts'
import { COMPOSE_DIR, type ComposeFile, type ComposeService, composeFile, durationMs } from '../infra/platform.ts'

const HANDLED = new Set(['image', 'build', 'command', 'environment', 'volumes', 'ports', 'expose', 'read_only', 'tmpfs', 'cap_drop',
  'security_opt', 'init', 'restart', 'logging', 'user', 'healthcheck', 'depends_on', 'stop_grace_period', 'networks', 'secrets'])

export interface ComposeProject {
  /** The project name: containers are <name>-<service>-1, networks and volumes <name>_<key>. */
  name: string
  file: ComposeFile
  container: (service: string) => string
  /** Starts every service outside a profile, in depends_on order, each once its dependencies are ready. */
  up: () => Promise<void>
  /** Removes the containers, networks and volumes `up` made. */
  down: () => Promise<void>
}

/** `vars` are compose's environment (ports, image tag…); `name` keeps a test's project apart from a user's. */
export function composeProject (docker: Docker, name: string, vars: Record<string, string>): ComposeProject {
  const file = composeFile(vars)
  const services = Object.entries(file.services).filter(([, svc]) => (svc as { profiles?: string[] }).profiles === undefined)
  const container = (service: string): string => `${name}-${service}-1`
  const docker$ = async (...args: string[]): Promise<string> => {
    const res = await run(docker.cli, args, { env: docker.env })
    if (res.code !== 0) throw new Error(`docker ${args.join(' ')}: ${res.stderr.trim()}`)
    return res.stdout.trim()
  }
  const networksOf = (svc: ComposeService): string[] => svc.networks ?? ['default']
  const volumeNames = Object.keys(file.volumes ?? {})

  async function waitFor (service: string, condition: string): Promise<void> {
    const deadline = Date.now() + 180_000
    while (Date.now() < deadline) {
      const [health = '', status = '', exitCode = ''] = (await docker$('inspect', '--format',
        '{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.Status}}|{{.State.ExitCode}}', container(service))).split('|')
      if (condition === 'service_completed_successfully' && status === 'exited') {
        if (exitCode === '0') return
        throw new Error(`${service} exited ${exitCode}:\n${await logs(service)}`)
      }
      if (status === 'exited' || health === 'unhealthy') throw new Error(`${service} is ${status} ${health}:\n${await logs(service)}`)
      if (condition === 'service_started' || (condition === 'service_healthy' && health === 'healthy')) return
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error(`${service} did not reach ${condition} within 180 s:\n${await logs(service)}`)
  }

  async function logs (service: string): Promise<string> {
    const res = await run(docker.cli, ['logs', '--tail', '40', container(service)], { env: docker.env })
    return `${res.stdout}${res.stderr}`
  }

  function runArgs (service: string, svc: ComposeService): string[] {
    const unhandled = Object.keys(svc).filter((key) => !HANDLED.has(key))
    if (unhandled.length > 0) throw new Error(`compose.yaml: ${service} uses ${unhandled.join(', ')}, which this runner does not apply`)
    if (svc.image === undefined) throw new Error(`compose.yaml: ${service} has no image`)
    const [firstNetwork = 'default'] = networksOf(svc)
    const args = ['--name', container(service), '--label', `com.docker.compose.project=${name}`, '--label', `com.docker.compose.service=${service}`,
      '--network', `${name}_${firstNetwork}`, '--network-alias', service]
    for (const [key, value] of Object.entries(svc.environment ?? {})) args.push('--env', `${key}=${value}`)
    for (const volume of svc.volumes ?? []) {
      const [source = '', target = '', mode] = volume.split(':')
      const host = volumeNames.includes(source) ? `${name}_${source}` : resolve(COMPOSE_DIR, source)
      args.push('--volume', [host, target, ...(mode === undefined ? [] : [mode])].join(':'))
    }
    // A file secret, as Compose v2 mounts it without swarm: the file itself, read-only, at /run/secrets/<name>.
    for (const secret of svc.secrets ?? []) {
      const source = file.secrets?.[secret]?.file
      if (source === undefined) throw new Error(`compose.yaml: ${service} uses the secret ${secret}, which has no file`)
      args.push('--volume', `${resolve(COMPOSE_DIR, source)}:/run/secrets/${secret}:ro`)
    }
    for (const port of svc.ports ?? []) args.push('--publish', port)
    for (const port of svc.expose ?? []) args.push('--expose', port)
    if (svc.read_only === true) args.push('--read-only')
    for (const path of svc.tmpfs ?? []) args.push('--tmpfs', path)
    for (const cap of svc.cap_drop ?? []) args.push('--cap-drop', cap)
    for (const opt of svc.security_opt ?? []) args.push('--security-opt', opt)
    if (svc.init === true) args.push('--init')
    if (svc.user !== undefined) args.push('--user', svc.user)
    if (svc.restart !== undefined) args.push('--restart', svc.restart)
    if (svc.logging !== undefined) {
      args.push('--log-driver', svc.logging.driver)
      for (const [key, value] of Object.entries(svc.logging.options ?? {})) args.push('--log-opt', `${key}=${value}`)
    }
    if (svc.stop_grace_period !== undefined) args.push('--stop-timeout', String(Math.ceil(durationMs(svc.stop_grace_period) / 1000)))
    const check = svc.healthcheck
    if (check !== undefined) {
      const [kind, ...command] = check.test
      if (kind !== 'CMD' && kind !== 'CMD-SHELL') throw new Error(`compose.yaml: ${service}: healthcheck test ${kind} is not handled`)
      // --health-cmd runs through the image's shell, as CMD-SHELL does; CMD's words are quoted for it.
      args.push('--health-cmd', kind === 'CMD' ? command.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ') : command.join(' '))
      if (check.interval !== undefined) args.push('--health-interval', check.interval)
      if (check.timeout !== undefined) args.push('--health-timeout', check.timeout)
      if (check.retries !== undefined) args.push('--health-retries', String(check.retries))
      if (check.start_period !== undefined) args.push('--health-start-period', check.start_period)
    }
    return [...args, svc.image, ...(svc.command ?? [])]
  }

  /** Services in an order where each comes after everything it depends on. */
  function startOrder (): Array<[string, ComposeService]> {
    const ordered: Array<[string, ComposeService]> = []
    const visit = (service: string, path: string[]): void => {
      if (ordered.some(([done]) => done === service)) return
      if (path.includes(service)) throw new Error(`compose.yaml: depends_on cycle ${[...path, service].join(' → ')}`)
      const svc = file.services[service]
      if (svc === undefined) throw new Error(`compose.yaml: ${path.at(-1) ?? '?'} depends on ${service}, which is not a service`)
      for (const dep of Object.keys(svc.depends_on ?? {})) visit(dep, [...path, service])
      ordered.push([service, svc])
    }
    for (const [service] of services) visit(service, [])
    return ordered
  }

  return {
    name,
    file,
    container,
    async up () {
      const order = startOrder()
      const networks = new Set(order.flatMap(([, svc]) => networksOf(svc)))
      for (const network of networks) {
        const internal = file.networks?.[network]?.internal === true
        await docker$('network', 'create', '--label', `com.docker.compose.project=${name}`, ...(internal ? ['--internal'] : []), `${name}_${network}`)
      }
      for (const volume of volumeNames) await docker$('volume', 'create', '--label', `com.docker.compose.project=${name}`, `${name}_${volume}`)
      for (const [service, svc] of order) {
        for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) await waitFor(dep, condition)
        await docker$('create', ...runArgs(service, svc))
        for (const network of networksOf(svc).slice(1)) await docker$('network', 'connect', '--alias', service, `${name}_${network}`, container(service))
        await docker$('start', container(service))
      }
    },
    async down () {
      const ids = (await docker$('ps', '-aq', '--filter', `label=com.docker.compose.project=${name}`)).split('\n').filter(Boolean)
      if (ids.length > 0) await docker$('rm', '--force', '--volumes', ...ids)
      for (const network of (await docker$('network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${name}`)).split('\n').filter(Boolean)) {
        await docker$('network', 'rm', network)
      }
      for (const volume of (await docker$('volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${name}`)).split('\n').filter(Boolean)) {
        await docker$('volume', 'rm', volume)
      }
    }
  }
}
