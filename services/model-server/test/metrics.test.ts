import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadBundle } from '../src/bundle/load-bundle.ts'
import { type Classifier, createClassifier } from '../src/inference/classifier.ts'
import { SHARED_IMAGES, SHARED_MODELS, buildTestServer, classifierOptions } from './build.ts'

let classifier: Classifier | undefined
let app: ReturnType<typeof buildTestServer>['app']

beforeAll(async () => {
  const bundle = await loadBundle(`${SHARED_MODELS}resnet-int8`)
  const server = buildTestServer(bundle, undefined, { classifier: () => classifier })
  app = server.app
  classifier = await createClassifier(bundle, classifierOptions, server.metrics.observeBatch)
  await app.ready()
})
afterAll(async () => { await app.close(); await classifier?.close() })

/** The value of the Prometheus sample `name` whose labels include `labels`. */
function sample (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line)
    if (match?.[1] !== name) continue
    const has = Object.entries(labels).every(([k, v]) => match[2]!.includes(`${k}="${v}"`))
    if (has) return Number(match[3])
  }
  return undefined
}

describe('GET /metrics', () => {
  it('exposes requests by status and code, stage latencies, batch sizes and queue depth', async () => {
    const cat = readFileSync(`${SHARED_IMAGES}cat_720p.jpg`)
    await Promise.all([1, 2, 3].map(async () => await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: cat })))
    await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: 'text' })
    const res = await app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/plain')
    const text = res.body
    expect(sample(text, 'http_requests_total', { route: '/predict', status: '200' })).toBe(3)
    expect(sample(text, 'http_requests_total', { status: '415', code: 'IMAGE_UNSUPPORTED_TYPE' })).toBe(1)
    for (const stage of ['decode', 'preprocess', 'queue', 'inference']) {
      expect(sample(text, 'model_stage_duration_seconds_count', { stage }), stage).toBe(3)
    }
    expect(sample(text, 'model_stage_duration_seconds_count', { stage: 'fetch' })).toBeUndefined()
    expect(sample(text, 'model_batch_size_sum')).toBe(3)
    expect(sample(text, 'model_queue_depth', { model: 'resnet-int8', version: '2.0.0' })).toBe(0)
    expect(text).toContain('process_resident_memory_bytes')
  })
})
