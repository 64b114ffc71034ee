import { fileURLToPath } from 'node:url'
import { type ModelServerOptions, buildModelServer } from '../src/app.ts'
import { type Bundle, loadBundle } from '../src/bundle/load-bundle.ts'
import { type Classifier, type ClassifierOptions, createClassifier } from '../src/inference/classifier.ts'

export const SHARED_MODELS = fileURLToPath(new URL('../../../../shared/models/', import.meta.url))
export const SHARED_IMAGES = fileURLToPath(new URL('../../../../shared/images/', import.meta.url))

export const testConfig: ModelServerOptions['config'] = {
  LOG_LEVEL: 'silent',
  MAX_BODY_BYTES: 4 * 1024 * 1024,
  MAX_IMAGE_PIXELS: 40_000_000,
  REQUEST_TIMEOUT_MS: 30_000,
  BATCH_MAX_SIZE: 8,
  BATCH_MAX_WAIT_MS: 2
}

export const classifierOptions: ClassifierOptions = {
  maxBatch: 8, maxWaitMs: 2, maxQueue: 64, intraOpThreads: 0, interOpThreads: 0, graphOptimization: 'all'
}

export async function loadShared (id: string, opts: Partial<ClassifierOptions> = {}): Promise<{ bundle: Bundle, classifier: Classifier }> {
  const bundle = await loadBundle(`${SHARED_MODELS}${id}`)
  const classifier = await createClassifier(bundle, { ...classifierOptions, ...opts })
  return { bundle, classifier }
}

/** A model server over a real bundle and classifier, for app.inject tests (no socket). */
export function buildTestServer (bundle: Bundle, classifier: Classifier | undefined, overrides: Partial<ModelServerOptions> = {}): ReturnType<typeof buildModelServer> {
  return buildModelServer({
    config: testConfig,
    bundle,
    classifier: () => classifier,
    fetchImage: async () => { throw new Error('no URL fetching in this test') },
    ...overrides
  })
}
