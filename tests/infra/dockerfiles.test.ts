// The Dockerfiles, read with a Dockerfile parser and held against the code: each image runs the
// command its package's start script runs, on the port and with the health check the process really
// has, as a non-root user, with production dependencies only; models are pulled at build time.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import type { Ignore } from '@balena/dockerignore'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/spawn.ts'
import { DOCKER_DIR, contextSources, expand, imageConfig, parseDockerfile, runLines } from './dockerfile.ts'
import { MODEL_IDS, images, serviceFile, settingDefault } from './platform.ts'

const DOCKERFILES = readdirSync(DOCKER_DIR).filter((f) => f.endsWith('.Dockerfile'))
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string }
const PNPM = rootPackage.packageManager.replace(/^pnpm@/, '')
// A CommonJS module whose types claim a default export: load it as Node does.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore
const dockerignore = ignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))
/** A Dockerfile variable reference as written in the file: ref('MODEL_ID') is ${MODEL_ID}. */
const ref = (name: string): string => '$' + `{${name}}`

function startScript (dir: string): string {
  return (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
}

describe('every Dockerfile', () => {
  it('finds the four images', () => {
    expect(DOCKERFILES.sort()).toEqual(['base.Dockerfile', 'gateway.Dockerfile', 'model-service.Dockerfile', 'web.Dockerfile'])
  })

  it.each(DOCKERFILES)('%s parses without a diagnostic', (name) => {
    const df = parseDockerfile(name)
    expect(df.problems).toEqual([])
    expect(df.stages.length).toBeGreaterThan(0)
  })

  it.each(DOCKERFILES)('%s starts from Debian slim Node 24 (glibc for sharp and onnxruntime) and installs the pinned pnpm', (name) => {
    const df = parseDockerfile(name)
    const nodeImages = [...Object.values(df.globalArgs), ...df.stages.map((s) => s.from)].filter((v) => v?.startsWith('node:'))
    if (name !== 'model-service.Dockerfile') expect(nodeImages).toEqual(['node:24-bookworm-slim'])
    for (const image of [...Object.values(df.globalArgs), ...df.stages.map((s) => s.from)]) expect(image ?? '').not.toMatch(/alpine/i)
    for (const line of df.stages.flatMap(runLines).filter((l) => l.includes('npm install --global pnpm'))) {
      expect(line).toContain(`pnpm@${PNPM}`)
    }
  })

  it.each(DOCKERFILES)('%s copies only files that exist and that .dockerignore lets into the context', (name) => {
    const df = parseDockerfile(name)
    for (const id of name === 'model-service.Dockerfile' ? MODEL_IDS : ['-']) {
      for (const source of df.stages.flatMap((s) => contextSources(s, { MODEL_ID: id }))) {
        expect(existsSync(join(ROOT, source)), `${name}: COPY ${source}`).toBe(true)
        expect(dockerignore.ignores(source.replace(/\/$/, '')), `${name}: ${source} is ignored`).toBe(false)
      }
    }
  })

  it.each(DOCKERFILES)('%s names no syntax frontend, which BuildKit would pull from a registry (offline builds fail)', (name) => {
    expect(parseDockerfile(name).text).not.toMatch(/^#\s*syntax\s*=/im)
  })

  it.each(DOCKERFILES)('%s installs from the lockfile, production dependencies only in what runs', (name) => {
    const df = parseDockerfile(name)
    const installs = df.stages.flatMap(runLines).filter((l) => l.includes('pnpm install'))
    // The model images install nothing: their dependencies come with the base image.
    if (name === 'model-service.Dockerfile') expect(installs).toEqual([])
    else expect(installs.length).toBeGreaterThan(0)
    for (const line of installs) expect(line).toContain('--frozen-lockfile')
    // Only build stages install everything; the last stage of each file never installs dev dependencies.
    for (const line of runLines(df.stages.at(-1)!).filter((l) => l.includes('pnpm install'))) expect(line).toContain('--prod')
  })
})

describe('.dockerignore', () => {
  it.each(['.git/HEAD', 'node_modules/x/index.js', 'gateway/node_modules/x', '.models/resnet/model.onnx', 'models/any.onnx',
    '.data/keys.db', 'gateway/.data/keys.db', 'tests/infra/compose.test.ts', 'gateway/test/app.test.ts', 'web/dist/index.html', '.env'])('keeps %s out', (path) => {
    expect(dockerignore.ignores(path)).toBe(true)
  })
})

describe('the model-service image', () => {
  const df = parseDockerfile('model-service.Dockerfile')
  const all = images()

  it('starts from the shared base image, named as compose and CI pass it', () => {
    expect(df.globalArgs.BASE_IMAGE).toBe('modelgate-base')
    expect(df.stages.at(-1)?.from).toBe(ref('BASE_IMAGE'))
    const base = parseDockerfile('base.Dockerfile')
    const baseInstall = runLines(base.stages.at(-1)!).find((l) => l.includes('pnpm install'))
    expect(baseInstall).toContain('--filter "@modelgate/model-server..."')
    expect(baseInstall).toContain('ONNXRUNTIME_NODE_INSTALL=skip')
  })

  it('pulls and verifies the model during the build, never at start', () => {
    const pullStage = df.stages.find((s) => runLines(s).some((l) => l.includes('pnpm models pull "$MODEL_ID"')))
    expect(pullStage?.name).toBeDefined()
    expect(runLines(pullStage!).join('\n')).toContain(`MODELS_DIR=/models pnpm models pull "$MODEL_ID" ${ref('MODELS_FROM:+--from "$MODELS_FROM"')}`)
    const final = df.stages.at(-1)!
    const copied = final.steps.find((s) => s.keyword === 'COPY' && s.flags.from === pullStage!.name)
    expect(copied?.args).toBe(`/models/${ref('MODEL_ID')}/ /models/${ref('MODEL_ID')}/`)
    for (const id of MODEL_IDS) {
      const image = all[`modelgate-${id}`]!
      expect(image.env.MODEL_BUNDLE).toBe(`/models/${id}`)
      expect(image.cmd?.join(' ')).not.toMatch(/pull|models/)
    }
  })

  it.each(MODEL_IDS)('%s runs its package start script (model-server service.json) on service.json\'s port', (id) => {
    const image = all[`modelgate-${id}`]!
    expect(image.workdir).toBe(`/app/services/${id}`)
    expect(startScript(`services/${id}`)).toBe('model-server service.json')
    const bin = (JSON.parse(readFileSync(join(ROOT, 'services/model-server/package.json'), 'utf8')) as { bin: Record<string, string> }).bin['model-server']
    const serviceDir = join(ROOT, 'services', id)
    expect(image.cmd).toEqual(['node', relative(serviceDir, join(ROOT, 'services/model-server', bin ?? '-')), 'service.json'])
    expect(existsSync(join(serviceDir, image.cmd![1]!))).toBe(true)
    // No PORT in the image: the service listens on service.json's port, which the health check reads too.
    expect(image.env.PORT).toBeUndefined()
    expect(serviceFile(id).port).toBeGreaterThan(0)
    expect(image.healthcheck?.cmd.join(' ')).toContain("process.env.PORT || require('./service.json').port")
  })
})

describe('the gateway and web images', () => {
  const all = images()

  it('run the gateway as `pnpm --dir gateway start` does, on its default port', () => {
    const image = all['modelgate-gateway']!
    expect(image.workdir).toBe('/app/gateway')
    expect(image.cmd).toEqual(startScript('gateway').split(' '))
    expect(existsSync(join(ROOT, 'gateway', image.cmd![1]!))).toBe(true)
    expect(Number(image.env.PORT)).toBe(settingDefault('gateway', 'PORT'))
    expect(image.expose).toEqual([image.env.PORT])
    expect(image.env.DATA_DIR).toBe('/data')
    expect(image.healthcheck?.cmd.join(' ')).toContain(`process.env.PORT || ${String(settingDefault('gateway', 'PORT'))}`)
  })

  it('run the web UI as `pnpm --dir web start` does (tsx server.ts), serving a build made in the image', () => {
    const image = all['modelgate-web']!
    expect(image.workdir).toBe('/app/web')
    expect(startScript('web')).toBe('tsx server.ts')
    expect(image.cmd).toEqual(['node', '--import', 'tsx', 'server.ts'])
    expect(Number(image.env.WEB_PORT)).toBe(settingDefault('web', 'WEB_PORT'))
    expect(image.expose).toEqual([image.env.WEB_PORT])
    expect(image.healthcheck?.cmd.join(' ')).toContain(`process.env.WEB_PORT || ${String(settingDefault('web', 'WEB_PORT'))}`)
    const df = parseDockerfile('web.Dockerfile')
    expect(runLines(df.stages.find((s) => s.name === 'build')!)).toContain('pnpm --dir web build')
    const final = df.stages.at(-1)!
    expect(final.steps.find((s) => s.keyword === 'COPY' && s.flags.from === 'build')?.args).toBe('/app/web/dist/ web/dist/')
    // The sources stay out, so server.ts finds no stale build and never loads vite.
    expect(contextSources(final, {})).not.toContain('web/')
  })
})

describe('every image that runs', () => {
  const running = Object.entries(images()).filter(([name]) => name !== 'modelgate-base')

  it.each(running)('%s runs as a numeric non-root user and listens beyond loopback', (_name, image) => {
    expect(image.user).toMatch(/^[1-9]\d*:[1-9]\d*$/)
    expect(image.env.HOST).toBe('0.0.0.0')
    expect(image.env.NODE_ENV).toBe('production')
  })

  it.each(running)('%s checks its health on /readyz with Node (no curl in slim images)', (_name, image) => {
    const [command, flag, script] = image.healthcheck?.cmd ?? []
    expect([command, flag]).toEqual(['node', '-e'])
    expect(script).toMatch(/fetch\('http:\/\/127\.0\.0\.1:' \+ .+ \+ '\/readyz'/)
    expect(image.healthcheck?.options).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) })
  })

  it('substitutes build arguments as Docker does', () => {
    expect(expand(`/models/${ref('MODEL_ID')}/x/$MODEL_ID`, { MODEL_ID: 'mobilenet' })).toBe('/models/mobilenet/x/mobilenet')
    expect(imageConfig(parseDockerfile('model-service.Dockerfile'), { MODEL_ID: 'resnet' }).workdir).toBe('/app/services/resnet')
  })
})
