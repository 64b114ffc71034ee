// @modelgate/client and its CLI against the real platform: model services with the shared bundles, the
// gateway, keys from `pnpm keys`, real photos.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Modelgate, ModelgateError } from '../../packages/client/src/index.ts'
import { startServer } from '../../services/model-server/test/image-host.ts'
import { registerCleanup } from '../helpers/cleanup.ts'
import { createKey } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { PHOTOS, photo, postPhoto, reference } from '../helpers/reference.ts'
import { ROOT, SHARED_IMAGES } from '../helpers/spawn.ts'

const MODELS = ['resnet', 'mobilenet']
let gateway: GatewayHandle
let services: Record<string, ProcessHandle>
let key: string
let imageHost: string

beforeAll(async () => {
  const host = await startServer('127.0.0.1')
  registerCleanup(async () => { await host.close() })
  imageHost = `http://localhost:${host.port}`
  services = {}
  for (const id of MODELS) services[id] = await startService(id, { env: { IMAGE_URL_ALLOW_HOSTS: `localhost:${host.port}` } })
  gateway = await startGateway({
    upstreams: { models: Object.fromEntries(MODELS.map((id) => [id, { stable: { version: reference.bundles[id]!.version, replicas: [services[id]!.url] } }])) }
  })
  key = (await createKey(gateway.env)).secret
}, 180_000)

const caught = async (promise: Promise<unknown>): Promise<ModelgateError> => await promise.then(() => { throw new Error('resolved') }, (e: unknown) => e as ModelgateError)

interface CliRun { code: number, stdout: string, stderr: string }
async function cli (args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return await new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'packages/client/bin/modelgate.js'), ...args], {
      cwd: SHARED_IMAGES,
      env: { ...process.env, MODELGATE_URL: gateway.url, MODELGATE_API_KEY: key, ...env }
    }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })
}

describe('@modelgate/client against the platform', () => {
  it('classifies bytes, a Blob, a File, an image URL and a file path as predict does', async () => {
    const mg = new Modelgate({ baseUrl: gateway.url, apiKey: key })
    const expected = (await postPhoto(`${gateway.url}/model/resnet/predict`, 'cat_720p.jpg', { authorization: `Bearer ${key}` })).body
    const bytes = photo('cat_720p.jpg')
    const answers = [
      await mg.classify('resnet', bytes),
      await mg.classify('resnet', new Blob([bytes], { type: 'image/jpeg' })),
      await mg.classify('resnet', new File([bytes], 'cat.jpg', { type: 'image/jpeg' })),
      await mg.classify('resnet', `${imageHost}/cat.jpg`),
      await mg.classify('resnet', join(SHARED_IMAGES, 'cat_720p.jpg'))
    ]
    for (const answer of answers) {
      expect(answer.model).toEqual(expected.model)
      expect(answer.predictions).toEqual(expected.predictions)
    }
    const top3 = await mg.classify('mobilenet', bytes, { topk: 3, version: reference.bundles.mobilenet!.version })
    expect(top3.predictions.map((p) => p.label)).toEqual(reference.bundles.mobilenet!.predictions['cat_720p.jpg']!.slice(0, 3).map((p) => p.label))
    expect((await mg.models()).models.map((m) => [m.id, m.status])).toEqual(MODELS.map((id) => [id, 'ready']))
  })

  it('answers the platform\'s problems as ModelgateErrors with their codes', async () => {
    const mg = new Modelgate({ baseUrl: gateway.url, apiKey: key })
    const unknown = await caught(mg.classify('vgg', photo('owl.jpg')))
    expect(unknown).toBeInstanceOf(ModelgateError)
    expect(unknown).toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND', problem: { knownModels: MODELS } })
    expect(unknown.requestId).toEqual(expect.any(String))
    expect(await caught(mg.classify('resnet', Buffer.from('not an image')))).toMatchObject({ status: 415, code: 'IMAGE_UNSUPPORTED_TYPE' })
    expect(await caught(new Modelgate({ baseUrl: gateway.url, apiKey: 'mg_wrong' }).classify('resnet', photo('owl.jpg')))).toMatchObject({ status: 401, code: 'AUTH_INVALID' })
  })

  it('waits out a 3/min key\'s Retry-After and then succeeds, within its retries; an abort stops the wait at once', async () => {
    const limited = (await createKey(gateway.env, ['--rate', '3/min'])).secret
    const mg = new Modelgate({ baseUrl: gateway.url, apiKey: limited })
    for (let i = 0; i < 3; i++) await mg.classify('resnet', photo('eagle.jpg'))
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    const started = performance.now()
    expect(await caught(mg.classify('resnet', photo('eagle.jpg'), { signal: controller.signal }))).toMatchObject({ code: 'ABORTED' })
    expect(performance.now() - started).toBeLessThan(5000)

    const answer = await mg.classify('resnet', photo('eagle.jpg'))
    expect(answer.predictions[0]?.label).toBe('bird')
    const limitedLines = gateway.logLines().filter((l) => l.rateLimited === true && l.route === '/model/:id/predict')
    expect(limitedLines.length).toBeGreaterThanOrEqual(2)
  }, 150_000)

  it('the CLI prints a table, --json as it came, the catalogue, and one line with exit 1 or 2 on errors', async () => {
    const table = await cli(['classify', 'cat_720p.jpg', '--model', 'resnet', '--topk', '3'])
    expect(table.code, table.stderr).toBe(0)
    const [head, ...rows] = table.stdout.trim().split('\n')
    expect(head).toMatch(/^cat_720p\.jpg: resnet 2\.0\.0 \(ResNet-56 \(CIFAR-10\)\), \d+ ms$/)
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatch(/^ {2}cat +█{23}[▏▎▍▌▋▊▉█ ] +100\.0 %$/)

    const json = await cli(['classify', 'owl.jpg', '--json'])
    const expected = (await postPhoto(`${gateway.url}/model/resnet/predict`, 'owl.jpg', { authorization: `Bearer ${key}` })).body
    expect(JSON.parse(json.stdout)).toEqual({ ...expected, timing: expect.objectContaining({ totalMs: expect.any(Number) }) })

    const many = await cli(['classify', ...PHOTOS.slice(0, 5), '--model', 'mobilenet', '--json'])
    expect(many.code).toBe(0)
    expect(many.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { model: { id: string } }).model.id)).toEqual(Array(5).fill('mobilenet'))
    expect(many.stderr).toContain('classified 5 of 5 images')

    const models = await cli(['models'])
    expect(models.stdout).toMatch(/^resnet +2\.0\.0 +ready +ResNet-56 \(CIFAR-10\) +32x32 +10 classes$/m)
    expect(JSON.parse((await cli(['models', '--json'])).stdout)).toEqual(await (await fetch(`${gateway.url}/models`)).json())

    const notFound = await cli(['classify', 'owl.jpg', '--model', 'vgg'])
    expect(notFound.code).toBe(1)
    expect(notFound.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^modelgate: MODEL_NOT_FOUND: There is no model "vgg"\. \(list the models with `modelgate models`\)$/)])
    const noKey = await cli(['classify', 'owl.jpg'], { MODELGATE_API_KEY: '' })
    expect(noKey.code).toBe(1)
    expect(noKey.stderr).toContain('AUTH_REQUIRED')
    const usage = await cli(['classify', 'owl.jpg', '--topk', '0'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('--topk must be a whole number of 1 or more (got "0").')
  }, 60_000)

  // Last: it stops the mobilenet service.
  it('gives MODEL_UNAVAILABLE once a stopped model\'s retries are spent', async () => {
    await services.mobilenet!.stop('SIGTERM')
    const deadline = Date.now() + 10_000
    while (((await (await fetch(`${gateway.url}/models/mobilenet`)).json()) as { status: string }).status !== 'down' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const before = gateway.logLines().length
    const error = await caught(new Modelgate({ baseUrl: gateway.url, apiKey: key, maxRetries: 2 }).classify('mobilenet', photo('dog.jpg')))
    expect(error).toMatchObject({ status: 503, code: 'MODEL_UNAVAILABLE' })
    expect(error.retryAfterSeconds).toBeGreaterThan(0)
    // A line is written after its answer is sent: wait for the third.
    const attempts = await gateway.waitForLines((l) => l.msg === 'request completed' && l.modelId === 'mobilenet', 3, before)
    expect(attempts.map((l) => l.errCode)).toEqual(['MODEL_UNAVAILABLE', 'MODEL_UNAVAILABLE', 'MODEL_UNAVAILABLE'])
  }, 60_000)
})
