// The Docker engine the container suite runs on, and the images it needs that no registry can give
// here. The engine: the one that answers, else a dockerd started for the run (root only), that leaves
// the machine's firewall and routing alone (no iptables rules, no NAT, no forwarding): nothing a
// container sends can leave this machine. Where no engine can run, the suite is skipped with one line
// saying why, except in CI (CI=true), where that is a failure. SKIP_CONTAINER_SUITE=<reason> skips it
// on purpose (the users' CI runs it in a job of its own, on the runner's Docker).
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Docker, engineVersion, findDocker, imageExists, run } from '../../scripts/images/docker.ts'
import { DEFAULT_NODE_IMAGE, ROOT } from '../../scripts/images/build.ts'

export interface Engine {
  /** Why the suite cannot run here; undefined when it can. */
  skip?: string
  stop: () => Promise<void>
}

const DOCKERD_FLAGS = ['--iptables=false', '--ip-masq=false', '--ip-forward=false', '--bridge=none']

export async function startEngine (): Promise<Engine> {
  const skipped = process.env.SKIP_CONTAINER_SUITE
  if (skipped !== undefined && skipped !== '') {
    process.stderr.write(`container suite skipped: SKIP_CONTAINER_SUITE=${skipped}\n`)
    return { skip: skipped, stop: async () => {} }
  }
  const unavailable = (reason: string): Engine => {
    if (process.env.CI === 'true') throw new Error(`container suite: ${reason} (CI=true: the suite must run)`)
    process.stderr.write(`container suite skipped: ${reason}\n`)
    return { skip: reason, stop: async () => {} }
  }
  let docker: Docker
  try {
    docker = await findDocker()
  } catch (err) {
    return unavailable((err as Error).message)
  }
  if (await engineVersion(docker).then(() => true, () => false)) return { stop: async () => {} }
  const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((path) => existsSync(path))
  if (dockerd === undefined) return unavailable('no Docker engine answers and dockerd is not installed (Debian: apt-get install docker.io)')
  if (process.getuid?.() !== 0) return unavailable('no Docker engine answers, and only root can start dockerd')

  const dir = mkdtempSync(join(tmpdir(), 'mg-dockerd-'))
  const log = join(dir, 'dockerd.log')
  const child = spawn(dockerd, [...DOCKERD_FLAGS, '--pidfile', join(dir, 'dockerd.pid')], { stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    await stopProcess(child, exited)
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && child.exitCode === null) {
    if (await engineVersion(docker).then(() => true, () => false)) return { stop }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n')
  await stop()
  return unavailable(`dockerd did not start:\n${tail}`)
}

async function stopProcess (child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  await exited
  clearTimeout(timer)
}

/** Stand-ins for the images compose and the Dockerfiles start from, made here when none can be pulled. */
export async function ensureBaseImages (docker: Docker): Promise<void> {
  if (!await imageExists(docker, DEFAULT_NODE_IMAGE) && (await run(docker.cli, ['pull', '--quiet', DEFAULT_NODE_IMAGE], { env: docker.env })).code !== 0) {
    const made = await run(join(ROOT, 'infra/airgap/node-image.sh'), [], { env: { ...process.env, DOCKER: docker.cli } })
    if (made.code !== 0) throw new Error(`infra/airgap/node-image.sh failed:\n${made.stderr}`)
  }
  const redis = 'redis:7.4-alpine'
  if (await imageExists(docker, redis) || (await run(docker.cli, ['pull', '--quiet', redis], { env: docker.env })).code === 0) return
  // Debian's redis-server, with protected mode off by default as in the official image (whose build
  // patches it out), so that the gateway's container may connect without a password.
  const dockerfile = [
    'FROM debian:bookworm-slim',
    'RUN apt-get update && apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*',
    'RUN printf \'#!/bin/sh\\nif [ "$1" = redis-server ]; then shift; exec redis-server --protected-mode no "$@"; fi\\nexec "$@"\\n\' > /usr/local/bin/entrypoint && chmod +x /usr/local/bin/entrypoint',
    'WORKDIR /data',
    'LABEL org.opencontainers.image.description="Stand-in for redis:7.4-alpine made by the Modelgate container suite from Debian\'s redis-server"',
    'ENTRYPOINT ["/usr/local/bin/entrypoint"]',
    'CMD ["redis-server"]'
  ].join('\n')
  const empty = mkdtempSync(join(tmpdir(), 'mg-redis-context-'))
  const built = await run(docker.cli, ['build', '--network', 'host', '-t', redis, '-f', '-', empty], { env: docker.env, input: dockerfile })
  rmSync(empty, { recursive: true, force: true })
  if (built.code !== 0) throw new Error(`the redis stand-in did not build:\n${built.stderr}`)
}
