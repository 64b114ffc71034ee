// Process entry of a model service: `model-server [service.json]`. The only file that reads the
// environment or listens on a port.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { exitOnStartError, loadConfig, readServiceTokens, runServer } from '@modelgate/server-kit'
import Value from 'typebox/value'
import { buildModelServer } from './app.ts'
import { loadBundle } from './bundle/load-bundle.ts'
import { ConfigSchema, type ServiceFile, ServiceFileSchema, serviceDefaults } from './config.ts'
import { createImageFetcher } from './image/fetch-image.ts'
import { type Classifier, createClassifier } from './inference/classifier.ts'

function readServiceFile (path: string): ServiceFile {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`${path}: cannot be read as JSON (${(err as Error).message})`)
  }
  const first = [...Value.Errors(ServiceFileSchema, json)][0]
  if (first !== undefined) throw new Error(`${path}: field "${first.instancePath.slice(1) || '(root)'}" ${first.message}`)
  return json as ServiceFile
}

async function main (): Promise<void> {
  const serviceFilePath = process.argv[2]
  const service = serviceFilePath === undefined ? undefined : readServiceFile(resolve(serviceFilePath))
  // A relative MODEL_BUNDLE is taken from the folder the command was run in (pnpm --dir changes cwd).
  const runDir = process.env.INIT_CWD ?? process.cwd()
  const defaults = service === undefined
    ? {}
    : { ...serviceDefaults(service), MODEL_BUNDLE: join(process.env.MODELS_DIR ?? '.models', service.id) }
  const config = loadConfig(ConfigSchema, { ...defaults, ...process.env })
  const bundle = await loadBundle(resolve(runDir, config.MODEL_BUNDLE))
  if (service !== undefined && service.id !== bundle.manifest.id) {
    throw new Error(`${resolve(runDir, config.MODEL_BUNDLE)} holds model "${bundle.manifest.id}", but this is the "${service.id}" service`)
  }

  // Set once the model is loaded and warmed up; until then /readyz and /predict answer 503.
  const loaded: { classifier?: Classifier } = {}
  const fetchImage = createImageFetcher({
    allowHosts: config.IMAGE_URL_ALLOW_HOSTS.split(',').map((h) => h.trim()).filter(Boolean),
    timeoutMs: config.IMAGE_URL_TIMEOUT_MS,
    maxBytes: config.IMAGE_URL_MAX_BYTES
  })
  const serviceTokens = readServiceTokens(config)
  const { app, metrics, upcoming } = buildModelServer({ config, bundle, classifier: () => loaded.classifier, fetchImage, serviceTokens })
  if (serviceTokens.length === 0) app.log.warn('no SERVICE_TOKEN: any caller that reaches this port can classify')
  app.addHook('onClose', async () => {
    await fetchImage.close()
    await loaded.classifier?.close()
  })
  await runServer(app, { host: config.HOST, port: config.PORT, graceMs: config.SHUTDOWN_GRACE_MS })

  const started = performance.now()
  loaded.classifier = await createClassifier(bundle, {
    maxBatch: config.BATCH_MAX_SIZE,
    maxWaitMs: config.BATCH_MAX_WAIT_MS,
    maxQueue: config.QUEUE_MAX,
    intraOpThreads: config.ORT_INTRA_OP_THREADS,
    interOpThreads: config.ORT_INTER_OP_THREADS,
    graphOptimization: config.ORT_GRAPH_OPTIMIZATION,
    upcoming
  }, metrics.observeBatch)
  const { id, version, sha256 } = bundle.manifest
  app.log.info({ modelId: id, modelVersion: version, sha256, loadMs: Math.round(performance.now() - started) }, 'model loaded and warmed up; ready')
}

main().catch(exitOnStartError)
