// `pnpm images build`: the platform's images from the Dockerfiles in infra/docker, in order (the
// shared base before the model images), tagged as compose and Kubernetes name them. The same commands
// build with current Docker and internet, and with Debian's Docker Engine 20.10 offline.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Docker, ImagesError, engineVersion, ensureImage, findDocker, inspectImage } from './docker.ts'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const DEFAULT_NODE_IMAGE = 'node:24-bookworm-slim'

/** The models with a service package (services/<id>/service.json), each an image of its own. */
export function modelIds (): string[] {
  return readdirSync(join(ROOT, 'services')).filter((id) => id !== 'model-server' && existsSync(join(ROOT, 'services', id, 'service.json'))).sort()
}

/** Every image, in build order. */
export function imageNames (): string[] {
  return ['base', ...modelIds(), 'gateway', 'web']
}

/** `modelgate-resnet:local`, or as MODELGATE_IMAGE_PREFIX and MODELGATE_TAG say (the compose defaults). */
export function imageRef (name: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${env.MODELGATE_IMAGE_PREFIX ?? 'modelgate'}-${name}:${env.MODELGATE_TAG ?? 'local'}`
}

export interface BuildOptions {
  /** Images to build (default: all); a model image brings the base image with it. */
  names?: string[]
  /** A mirror the model images bake their models from: a folder, or an http(s) base URL. */
  modelsFrom?: string
  nodeImage?: string
  /** A CA bundle the build steps that reach the npm registry trust (default: NODE_EXTRA_CA_CERTS). */
  caFile?: string
  noCache?: boolean
  /** Resolves a relative `modelsFrom` or `caFile`. */
  cwd?: string
  log?: (line: string) => void
}

export interface Built { name: string, ref: string, seconds: number, bytes: number }

export async function buildImages (opts: BuildOptions = {}): Promise<Built[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const cwd = opts.cwd ?? process.cwd()
  const selected = selectImages(opts.names ?? [])
  const docker = await findDocker()
  log(`images: Docker Engine ${await engineVersion(docker)}, ${docker.cli}`)
  const nodeImage = opts.nodeImage ?? DEFAULT_NODE_IMAGE
  await ensureImage(docker, nodeImage, opts.nodeImage === undefined
    ? 'Make it from Debian\'s archive and npm with `sudo infra/airgap/node-image.sh` (docs/operations.md, "Without registry access"), or name another with --node-image.'
    : 'Pull or load it first, or leave --node-image out.')

  const common = ['--network', 'host', ...caSecret(opts.caFile, cwd), ...(opts.noCache === true ? ['--no-cache'] : [])]
  const models = selected.some((name) => modelIds().includes(name)) ? await modelSource(docker, opts.modelsFrom, cwd, log) : {}
  const built: Built[] = []
  for (const name of selected) {
    const ref = imageRef(name)
    const [dockerfile, args] = name === 'base' || name === 'gateway' || name === 'web'
      ? [`${name}.Dockerfile`, { NODE_IMAGE: nodeImage }]
      : ['model-service.Dockerfile', { MODEL_ID: name, BASE_IMAGE: imageRef('base'), ...models }]
    log(`images: building ${ref}`)
    const started = performance.now()
    const code = await dockerBuild(docker, [...common, '-f', join(ROOT, 'infra/docker', dockerfile), '-t', ref, ...buildArgs(args), ROOT])
    if (code !== 0) throw new ImagesError(`Building ${ref} failed (docker build exited ${code}); docker's output is above.`)
    built.push({ name, ref, seconds: (performance.now() - started) / 1000, bytes: (await inspectImage(docker, ref)).size })
  }
  return built
}

function selectImages (names: string[]): string[] {
  const all = imageNames()
  const unknown = names.filter((name) => !all.includes(name))
  if (unknown.length > 0) throw new ImagesError(`Unknown image ${unknown.join(', ')}: the images are ${all.join(', ')}.`, 2)
  if (names.length === 0) return all
  const wanted = new Set(names)
  if (modelIds().some((id) => wanted.has(id))) wanted.add('base')
  return all.filter((name) => wanted.has(name))
}

function buildArgs (args: Record<string, string>): string[] {
  return Object.entries(args).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`])
}

/** The CA bundle as the BuildKit secret `ca`, which the Dockerfiles hand to npm and pnpm. */
function caSecret (caFile: string | undefined, cwd: string): string[] {
  const file = caFile ?? process.env.NODE_EXTRA_CA_CERTS
  if (file === undefined || file === '') return []
  const path = resolve(cwd, file)
  if (!existsSync(path)) {
    if (caFile === undefined) return []
    throw new ImagesError(`--ca-file ${caFile}: no such file.`, 2)
  }
  return ['--secret', `id=ca,src=${path}`]
}

/**
 * Where the model images pull their models from. A URL is handed to the build as it is. A folder
 * becomes an image of its own (modelgate-models-mirror) that the build mounts at /mirror: the pull
 * step's cache then follows the mirror's content, so a rebuild neither pulls again nor keeps a stale model.
 */
async function modelSource (docker: Docker, from: string | undefined, cwd: string, log: (line: string) => void): Promise<Record<string, string>> {
  if (from === undefined) return {}
  if (/^https?:\/\//i.test(from)) return { MODELS_FROM: from }
  const folder = isAbsolute(from) ? from : resolve(cwd, from)
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ImagesError(`--models-from ${from}: no such folder (a mirror is a folder or an http(s) URL).`, 2)
  }
  const ref = imageRef('models-mirror')
  log(`images: ${ref} from ${folder}`)
  const code = await dockerBuild(docker, ['-f', '-', '-t', ref, folder], 'FROM scratch\nCOPY . /\n')
  if (code !== 0) throw new ImagesError(`Copying the mirror ${folder} into ${ref} failed (docker build exited ${code}).`)
  return { MODELS_MIRROR: ref, MODELS_FROM: '/mirror' }
}

/** `docker build` with its output on ours; resolves to the exit code. */
async function dockerBuild (docker: Docker, args: string[], dockerfile?: string): Promise<number> {
  const child = spawn(docker.cli, ['build', ...args], { env: docker.env, stdio: [dockerfile === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'] })
  child.stdin?.end(dockerfile)
  return await new Promise((resolve) => {
    child.once('error', () => resolve(127))
    child.once('close', (code) => resolve(code ?? 1))
  })
}
