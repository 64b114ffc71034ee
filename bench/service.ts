// `pnpm bench:service`: the model service's speed, measured side by side in one run on the shared
// bundles and photos. Prints a table and writes it into docs/benchmarks.md.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadBundle } from '../services/model-server/src/bundle/load-bundle.ts'
import { decodeForModel, type Pixels } from '../services/model-server/src/image/decode.ts'
import { createClassifier } from '../services/model-server/src/inference/classifier.ts'
import { toTensor } from '../services/model-server/src/inference/preprocess.ts'
import { createSession } from '../services/model-server/src/inference/session.ts'
import { startService } from './processes.ts'
import { createPoster } from './http-client.ts'
import { type Measurement, fmt, replaceSection, runLoad } from './measure.ts'

const MODELS_DIR = process.env.MODELS_DIR ?? fileURLToPath(new URL('../../shared/models/', import.meta.url))
const IMAGES_DIR = fileURLToPath(new URL('../../shared/images/', import.meta.url))
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8)
const MODELS = (process.env.BENCH_MODELS ?? 'resnet,resnet-int8,mobilenet').split(',')
const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url))

const photos = readdirSync(IMAGES_DIR).filter((f) => f.endsWith('.jpg')).map((f) => readFileSync(`${IMAGES_DIR}${f}`))
const threads = { intraOpThreads: 0, interOpThreads: 0, graphOptimization: 'all' as const }

interface Row { model: string, what: string, inFlight: number, m: Measurement }
const rows: Row[] = []
function record (model: string, what: string, inFlight: number, m: Measurement): void {
  rows.push({ model, what, inFlight, m })
  console.error(`${model.padEnd(12)} ${what.padEnd(34)} ${String(inFlight).padStart(3)}  ${fmt(m.perSecond).padStart(7)} img/s  p50 ${fmt(m.p50Ms, 2)} ms  p99 ${fmt(m.p99Ms, 2)} ms${m.errors > 0 ? `  errors ${m.errors}` : ''}`)
}

for (const id of MODELS) {
  const bundle = await loadBundle(`${MODELS_DIR}${id}`)
  const { input, output, classes } = bundle.manifest

  // Bare session.run on a ready tensor: the model alone.
  const session = await createSession(bundle.modelPath, { inputName: input.name, outputName: output.name, width: input.width, height: input.height, classes }, threads)
  const pixels: Pixels = await decodeForModel(photos[0]!, input, { maxPixels: 4e7 })
  const one = toTensor(pixels, input)
  for (const batch of [1, 8]) {
    const data = new Float32Array(batch * one.length)
    for (let i = 0; i < batch; i++) data.set(one, i * one.length)
    const m = await runLoad(async () => { await session.run(data, batch); return true }, { concurrency: 1, seconds: SECONDS })
    record(id, `session.run, batch ${batch}`, 1, { ...m, perSecond: m.perSecond * batch })
  }
  await session.release()

  // The in-process pipeline, no HTTP: decode + preprocess + batched session.run.
  // Same batching as the service: 8 images or 2 ms, no waiting when no other image is decoding.
  let decoding = 0
  const classifier = await createClassifier(bundle, { ...threads, maxBatch: 8, maxWaitMs: 2, maxQueue: 1024, upcoming: () => decoding })
  for (const inFlight of [1, IN_FLIGHT]) {
    const m = await runLoad(async (i) => {
      decoding++
      const p = await decodeForModel(photos[i % photos.length]!, input, { maxPixels: 4e7 }).finally(() => { decoding-- })
      await classifier.classify(p, 5)
      return true
    }, { concurrency: inFlight, seconds: SECONDS })
    record(id, 'in-process pipeline', inFlight, m)
  }
  await classifier.close()

  // The service over HTTP, a real process, batching on (8 images, 2 ms) and off.
  for (const batching of [true, false]) {
    const service = await startService(id, `${MODELS_DIR}${id}`, batching ? {} : { BATCH_MAX_SIZE: '1' })
    try {
      for (const inFlight of [1, IN_FLIGHT]) {
        const client = createPoster(`${service.url}/predict`, inFlight)
        const m = await runLoad(async (i) => (await client.post(photos[i % photos.length]!)) === 200, { concurrency: inFlight, seconds: SECONDS })
        client.close()
        record(id, `service over HTTP, batching ${batching ? 'on' : 'off'}`, inFlight, m)
      }
      if (!batching) continue
      // The Open Inference Protocol with one preprocessed image a request: FP32 as JSON digits, and
      // binary after the JSON header (Triton's extension); predict (above) sends the JPEG instead.
      for (const [what, body, headers] of v2Bodies(one, input.name, input.height, input.width)) {
        const client = createPoster(`${service.url}/v2/models/${id}/infer`, IN_FLIGHT)
        const m = await runLoad(async () => (await client.post(body, headers)) === 200, { concurrency: IN_FLIGHT, seconds: SECONDS })
        client.close()
        record(id, `${what} (${fmt(body.length / 1024, 0)} KiB a request)`, IN_FLIGHT, m)
      }
    } finally {
      await service.stop()
    }
  }
}

/** One image's tensor as a V2 inference request: JSON, and binary after the JSON header. */
function v2Bodies (tensor: Float32Array, name: string, height: number, width: number): Array<[string, Buffer, Record<string, string>]> {
  const shape = [1, 3, height, width]
  const json = Buffer.from(JSON.stringify({ inputs: [{ name, shape, datatype: 'FP32', data: Array.from(tensor) }] }))
  const header = Buffer.from(JSON.stringify({ inputs: [{ name, shape, datatype: 'FP32', parameters: { binary_data_size: tensor.byteLength } }] }))
  return [
    ['V2 infer, FP32 JSON', json, { 'content-type': 'application/json' }],
    ['V2 infer, FP32 binary', Buffer.concat([header, Buffer.from(tensor.buffer)]), { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) }]
  ]
}

const find = (model: string, what: string, inFlight: number): Measurement | undefined => rows.find((r) => r.model === model && r.what === what && r.inFlight === inFlight)?.m
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm bench:service\` (${SECONDS} s a row, Node ${process.versions.node}, ${(await import('node:os')).cpus().length} cores). img/s: images a second; p50/p99: latency of one request.`,
  '',
  '| model | what | in flight | img/s | p50 ms | p99 ms | errors |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.model} | ${r.what} | ${r.inFlight} | ${fmt(r.m.perSecond)} | ${fmt(r.m.p50Ms, 2)} | ${fmt(r.m.p99Ms, 2)} | ${r.m.errors} |`),
  '',
  '| goal | measured |',
  '| --- | --- |'
]
for (const id of MODELS) {
  for (const inFlight of [1, IN_FLIGHT]) {
    const http = find(id, 'service over HTTP, batching on', inFlight)
    const local = find(id, 'in-process pipeline', inFlight)
    if (http !== undefined && local !== undefined) lines.push(`| ${id}: HTTP ≥ 90% of in-process at ${inFlight} in flight | ${fmt(100 * http.perSecond / local.perSecond, 0)}% |`)
  }
}
for (const batch of [1, 8]) {
  const int8 = find('resnet-int8', `session.run, batch ${batch}`, 1)
  const fp32 = find('resnet', `session.run, batch ${batch}`, 1)
  if (int8 !== undefined && fp32 !== undefined) lines.push(`| int8 ResNet ≥ 2.5x fp32 inference throughput, batch ${batch} | ${fmt(int8.perSecond / fp32.perSecond, 2)}x |`)
}
const table = lines.join('\n')
console.log(table)
const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n'
writeFileSync(DOC, replaceSection(doc, 'bench-service', `## Model service (\`pnpm bench:service\`)\n\n${table}`))
console.error(`wrote ${DOC}`)
