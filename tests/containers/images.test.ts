// Every image built for real with `pnpm images build`, on this machine's Docker engine and offline:
// the model images bake the shared bundles from a mirror folder, share the base image's layers, and
// rebuild from cache after a code-only change without pulling their model again.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { imageNames, imageRef, modelIds } from '../../scripts/images/build.ts'
import { type Docker, findDocker, inspectImage, run } from '../../scripts/images/docker.ts'
import { SHARED_MODELS } from '../helpers/spawn.ts'
import { ensureBaseImages } from './engine.ts'
import { copyCheckout, history, imagesBuild, removeImages } from './images.ts'

const skip = inject('containersSkip')
const MODELS = modelIds()
/** Bytes of each file of a shared bundle. */
const bundleFiles = (id: string): Record<string, number> =>
  Object.fromEntries(readdirSync(join(SHARED_MODELS, id)).map((file) => [file, statSync(join(SHARED_MODELS, id, file)).size]))

describe.skipIf(skip !== undefined)('the images', () => {
  let docker: Docker

  beforeAll(async () => {
    docker = await findDocker()
    await ensureBaseImages(docker)
  }, 15 * 60_000)

  it('all six build with `pnpm images build`, the models baked from a mirror folder of bundles', async () => {
    const build = await imagesBuild(['--models-from', SHARED_MODELS])
    expect(build.code, build.output.slice(-4000)).toBe(0)
    expect(imageNames()).toEqual(['base', ...MODELS, 'gateway', 'web'])
    for (const name of imageNames()) expect((await inspectImage(docker, imageRef(name))).size, name).toBeGreaterThan(0)
  }, 40 * 60_000)

  it.each(MODELS)('%s: the base image\'s layers, then one layer with its own model and nothing else, then code', async (id) => {
    const base = await inspectImage(docker, imageRef('base'))
    const model = await inspectImage(docker, imageRef(id))
    expect(model.layers.slice(0, base.layers.length)).toEqual(base.layers)
    // History holds metadata-only steps too (ARG, LABEL, ENV): the first step after the base's that
    // adds bytes is the model's COPY.
    const added = (await history(docker, imageRef(id))).slice((await history(docker, imageRef('base'))).length)
    const modelLayer = added.find((line) => line.bytes > 0)
    expect(modelLayer?.createdBy).toContain(`/models/${id}/`)
    const files = bundleFiles(id)
    const bundleBytes = Object.values(files).reduce((a, b) => a + b, 0)
    // A layer's size counts its files' bytes; a few KiB over them is the tar overhead.
    expect(modelLayer?.bytes).toBeGreaterThanOrEqual(bundleBytes)
    expect(modelLayer?.bytes).toBeLessThan(bundleBytes + 64 * 1024)
    const inImage = await run(docker.cli, ['run', '--rm', '--network', 'none', '--entrypoint', 'find', imageRef(id), '/models', '-type', 'f'], { env: docker.env })
    expect(inImage.stdout.trim().split('\n').sort()).toEqual(Object.keys(files).map((file) => `/models/${id}/${file}`).sort())
    // The goal of docs/benchmarks.md: a model image is at most its model file plus 5 MB over the base.
    expect(model.size - base.size).toBeLessThanOrEqual((files['model.onnx'] ?? 0) + 5e6)
  })

  it('a model image serves only its own id: given another model\'s bundle, it refuses to start', async () => {
    const res = await run(docker.cli, ['run', '--rm', '--network', 'none', '--read-only', '--tmpfs', '/tmp', '-e', 'MODEL_BUNDLE=/bundle',
      '--volume', `${join(SHARED_MODELS, 'mobilenet')}:/bundle:ro`, imageRef('resnet')], { env: docker.env, timeoutMs: 60_000 })
    expect(res.code).not.toBe(0)
    expect(res.stdout + res.stderr).toContain('holds model "mobilenet", but this is the "resnet" service')
  })

  it('a code-only change rebuilds a model image from cache: same model layer, no pull', async () => {
    const env = { MODELGATE_TAG: 'code-change' }
    const checkout = await copyCheckout((dir) => appendFileSync(join(dir, 'services/model-server/src/app.ts'), '\n// a code-only change\n'))
    try {
      const build = await imagesBuild(['resnet', '--models-from', SHARED_MODELS], { checkout: checkout.dir, env })
      expect(build.code, build.output.slice(-4000)).toBe(0)
      // BuildKit's plain progress: "#12 [models 6/6] RUN … pnpm models pull …", then "#12 CACHED".
      const step = /^#(\d+) \[models [^\]]+\] RUN .*pnpm models pull/m.exec(build.output)?.[1]
      expect(step, build.output.slice(-4000)).toBeDefined()
      expect(build.output).toMatch(new RegExp(`^#${step} CACHED$`, 'm'))
      // The base image's layers and the model layer after them (previous test) are the same layers;
      // what follows, the code, is not.
      const [base, was, is] = await Promise.all([inspectImage(docker, imageRef('base', { ...process.env, ...env })),
        inspectImage(docker, imageRef('resnet')), inspectImage(docker, imageRef('resnet', { ...process.env, ...env }))])
      const withModel = base.layers.length + 1
      expect(is.layers.slice(0, withModel)).toEqual(was.layers.slice(0, withModel))
      expect(is.layers.slice(withModel)).not.toEqual(was.layers.slice(withModel))
    } finally {
      checkout.remove()
      await removeImages(docker, ['base', 'resnet', 'models-mirror'].map((name) => imageRef(name, { ...process.env, ...env })))
    }
  }, 15 * 60_000)

  it('a mirror whose model file does not match its model.json fails the build, naming the file, and tags nothing', async () => {
    const env = { MODELGATE_TAG: 'bad-mirror' }
    const mirror = mkdtempSync(join(tmpdir(), 'mg-bad-mirror-'))
    try {
      cpSync(join(SHARED_MODELS, 'resnet'), join(mirror, 'resnet'), { recursive: true })
      const model = readFileSync(join(mirror, 'resnet/model.onnx'))
      model[model.length >> 1] = (model[model.length >> 1] ?? 0) ^ 0xff
      writeFileSync(join(mirror, 'resnet/model.onnx'), model)

      const build = await imagesBuild(['resnet', '--models-from', mirror], { env })

      expect(build.code).toBe(1)
      expect(build.output).toContain('/mirror/resnet/model.onnx: sha256 mismatch')
      expect(build.output).toContain(`Building ${imageRef('resnet', { ...process.env, ...env })} failed`)
      expect((await run(docker.cli, ['image', 'inspect', imageRef('resnet', { ...process.env, ...env })], { env: docker.env })).code).not.toBe(0)
    } finally {
      rmSync(mirror, { recursive: true, force: true })
      await removeImages(docker, ['base', 'models-mirror'].map((name) => imageRef(name, { ...process.env, ...env })))
    }
  }, 15 * 60_000)
})
