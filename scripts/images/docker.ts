// The docker command that builds the images, and the engine behind it. The Dockerfiles use BuildKit
// (cache and secret mounts): Docker 23+ builds with it only through the buildx plugin, while older
// clients such as Debian's docker.io (20.10) have it built in, under DOCKER_BUILDKIT=1. A machine can
// carry both (a newer client without buildx first on PATH): the first `docker` that can build wins.
import { execFile } from 'node:child_process'
import { accessSync, constants, realpathSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** A failure the user can act on: printed as one message, without a stack trace. */
export class ImagesError extends Error {
  constructor (message: string, readonly exitCode = 1) {
    super(message)
    this.name = 'ImagesError'
  }
}

export interface Docker {
  cli: string
  /** The environment every docker command runs with (BuildKit on). */
  env: NodeJS.ProcessEnv
}

export interface Run { code: number, stdout: string, stderr: string }

/** Runs a command to completion; never throws for a non-zero exit. */
export async function run (command: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv, input?: string, timeoutMs?: number } = {}): Promise<Run> {
  return await new Promise((resolve) => {
    const child = execFile(command, args, { env: opts.env ?? process.env, maxBuffer: 64 * 1024 ** 2, timeout: opts.timeoutMs ?? 0 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, stdout, stderr: error !== null && stderr === '' ? error.message : stderr })
    })
    child.stdin?.end(opts.input ?? '')
  })
}

function isExecutable (path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Every `docker` on PATH in order, then Debian's; each binary once. */
function dockerCommands (): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '')
  const seen = new Set<string>()
  return [...dirs.map((dir) => join(dir, 'docker')), '/usr/bin/docker'].filter((path) => {
    if (!isExecutable(path)) return false
    const real = realpathSync(path)
    if (seen.has(real)) return false
    seen.add(real)
    return true
  })
}

/** The docker command to build with: $DOCKER, else the first on PATH that builds with BuildKit. */
export async function findDocker (): Promise<Docker> {
  const env = { ...process.env, DOCKER_BUILDKIT: '1' }
  const commands = process.env.DOCKER !== undefined && process.env.DOCKER !== '' ? [process.env.DOCKER] : dockerCommands()
  if (commands.length === 0) throw new ImagesError('No docker command here. Install Docker (Debian: sudo apt-get install docker.io).')
  for (const cli of commands) {
    if ((await run(cli, ['buildx', 'version'], { env })).code === 0) return { cli, env }
    // `docker version` exits 1 when no engine answers, yet prints the client's version first.
    const client = (await run(cli, ['version', '--format', '{{.Client.Version}}'], { env })).stdout.trim()
    const major = Number(/^(\d+)\./.exec(client)?.[1])
    if (major > 0 && major < 23) return { cli, env }
  }
  throw new ImagesError(`No docker command here builds with BuildKit (${commands.join(', ')}: Docker 23 or later without the buildx plugin). ` +
    'Install the buildx plugin (docker-buildx-plugin), or Debian\'s docker.io (sudo apt-get install docker.io).')
}

/** The engine's version; an engine that does not answer is an ImagesError saying how to start one. */
export async function engineVersion (docker: Docker): Promise<string> {
  const res = await run(docker.cli, ['version', '--format', '{{.Server.Version}}'], { env: docker.env, timeoutMs: 20_000 })
  const version = res.stdout.trim()
  if (res.code === 0 && version !== '') return version
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'
  throw new ImagesError(`No Docker engine answers at ${host}. Start one: sudo systemctl start docker (or sudo dockerd &), or set DOCKER_HOST.`)
}

export async function imageExists (docker: Docker, ref: string): Promise<boolean> {
  return (await run(docker.cli, ['image', 'inspect', '--format', '{{.Id}}', ref], { env: docker.env })).code === 0
}

/** Makes sure `ref` is in the engine's store, pulling it if not; else an ImagesError naming `fix`. */
export async function ensureImage (docker: Docker, ref: string, fix: string): Promise<void> {
  if (await imageExists(docker, ref)) return
  const pulled = await run(docker.cli, ['pull', '--quiet', ref], { env: docker.env, timeoutMs: 600_000 })
  if (pulled.code === 0) return
  const reason = pulled.stderr.trim().split('\n').at(-1) ?? `exit ${pulled.code}`
  throw new ImagesError(`The image ${ref} is not here and cannot be pulled (${reason}). ${fix}`)
}

export interface ImageInfo { id: string, size: number, layers: string[] }

export async function inspectImage (docker: Docker, ref: string): Promise<ImageInfo> {
  const res = await run(docker.cli, ['image', 'inspect', '--format', '{{json .}}', ref], { env: docker.env })
  if (res.code !== 0) throw new ImagesError(`No image ${ref}: ${res.stderr.trim()}`)
  const image = JSON.parse(res.stdout) as { Id: string, Size: number, RootFS: { Layers?: string[] } }
  return { id: image.Id, size: image.Size, layers: image.RootFS.Layers ?? [] }
}
