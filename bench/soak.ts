// `pnpm bench:soak`: the whole platform under a bounded load through the gateway with real keys,
// all three models at once, sampling every process's resident memory. Prints a table and writes
// it with a chart into docs/reliability.md.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPoster } from './http-client.ts'
import { fmt, percentile, replaceSection } from './measure.ts'
import { startGateway, startService } from './processes.ts'
import { twoPanelChart } from './svg-chart.ts'

const MODELS_DIR = process.env.MODELS_DIR ?? fileURLToPath(new URL('../../shared/models/', import.meta.url))
const IMAGES_DIR = fileURLToPath(new URL('../../shared/images/', import.meta.url))
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60)
const PER_MODEL = Number(process.env.SOAK_CONCURRENCY ?? 4)
const SAMPLE_MS = 2000
const MODELS = ['resnet', 'mobilenet', 'resnet-int8']
const DOC = fileURLToPath(new URL('../docs/reliability.md', import.meta.url))
const CHART = fileURLToPath(new URL('../docs/reliability-soak.svg', import.meta.url))

const photos = readdirSync(IMAGES_DIR).filter((f) => f.endsWith('.jpg')).map((f) => readFileSync(join(IMAGES_DIR, f)))

function rssMb (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024
}

const services = await Promise.all(MODELS.map(async (id) => ({ id, ...await startService(id, join(MODELS_DIR, id)) })))
const dataDir = mkdtempSync(join(tmpdir(), 'mg-soak-'))
const gateway = await startGateway(dataDir, {
  models: Object.fromEntries(services.map((s) => [s.id, { stable: { version: 'soak', replicas: [s.url] } }]))
})
// A second key, limited to 60 requests a minute, one worker: its 429s are the only non-200 allowed.
const limitedKey = await (async () => {
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const env = { ...process.env, DATA_DIR: dataDir, GATEWAY_UPSTREAMS: join(dataDir, 'upstreams.json') }
  const out = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'gateway/src/cli/keys.ts', 'create', '--name', 'limited', '--rate', '60/min'], { cwd: fileURLToPath(new URL('../', import.meta.url)), env })
  return out.stdout.trim().split('\n').at(-1) ?? ''
})()

const procs = [{ name: 'gateway', pid: gateway.pid }, ...services.map((s) => ({ name: s.id, pid: s.pid }))]
const memory = new Map(procs.map((p) => [p.name, [] as Array<[number, number]>]))
const throughput = new Map(MODELS.map((m) => [m, [] as Array<[number, number]>]))
const latencies = new Map(MODELS.map((m) => [m, [] as number[]]))
const statuses = new Map<string, number>()
let limited200 = 0
let limited429 = 0
const countsThisSample = new Map(MODELS.map((m) => [m, 0]))

const started = performance.now()
const deadline = started + SECONDS * 1000
const sampler = setInterval(() => {
  const t = (performance.now() - started) / 1000
  for (const p of procs) memory.get(p.name)!.push([t, rssMb(p.pid)])
  for (const m of MODELS) {
    throughput.get(m)!.push([t, countsThisSample.get(m)! / (SAMPLE_MS / 1000)])
    countsThisSample.set(m, 0)
  }
}, SAMPLE_MS)

const auth = { authorization: `Bearer ${gateway.key}`, 'content-type': 'image/jpeg' }
await Promise.all([
  ...MODELS.flatMap((m) => {
    const client = createPoster(`${gateway.url}/model/${m}/predict`, PER_MODEL)
    return Array.from({ length: PER_MODEL }, async (_, w) => {
      for (let i = w; performance.now() < deadline && i < 10_000_000; i += PER_MODEL) {
        const t0 = performance.now()
        const status = await client.post(photos[i % photos.length]!, auth)
        latencies.get(m)!.push(performance.now() - t0)
        countsThisSample.set(m, countsThisSample.get(m)! + 1)
        statuses.set(`${m} ${status}`, (statuses.get(`${m} ${status}`) ?? 0) + 1)
      }
    })
  }),
  (async () => {
    const client = createPoster(`${gateway.url}/model/resnet-int8/predict`, 1)
    while (performance.now() < deadline) {
      const status = await client.post(photos[0]!, { authorization: `Bearer ${limitedKey}`, 'content-type': 'image/jpeg' })
      if (status === 200) limited200++
      else if (status === 429) limited429++
      else statuses.set(`limited-key ${status}`, (statuses.get(`limited-key ${status}`) ?? 0) + 1)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })()
])
clearInterval(sampler)
await Promise.all([gateway.stop(), ...services.map(async (s) => await s.stop())])
rmSync(dataDir, { recursive: true, force: true })

// Memory levels off when the last third of the run is no higher than the middle third (5% noise).
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const memoryRows = procs.map((p) => {
  const values = memory.get(p.name)!.map((s) => s[1])
  const third = Math.floor(values.length / 3)
  const middle = mean(values.slice(third, 2 * third))
  const last = mean(values.slice(2 * third))
  // Under six samples (a run shorter than 12 s) there is no trend to judge.
  return { name: p.name, start: values[0] ?? 0, peak: Math.max(...values), middle, last, levels: third < 2 ? undefined : last <= middle * 1.05 }
})
const seconds = (performance.now() - started) / 1000
const unexpected = [...statuses.entries()].filter(([k]) => !k.endsWith(' 200'))
const rows = MODELS.map((m) => {
  const l = latencies.get(m)!.sort((a, b) => a - b)
  return `| ${m} | ${l.length} | ${fmt(l.length / seconds)} | ${fmt(percentile(l, 50))} | ${fmt(percentile(l, 99))} | ${statuses.get(`${m} 200`) ?? 0} |`
})
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm bench:soak\`: ${fmt(seconds, 0)} s, ${PER_MODEL} requests in flight per model through the gateway with an API key (all three models at once, the shared photos in turn), plus one key limited to 60/min polling every 100 ms. Node ${process.versions.node}, 2 cores.`,
  '',
  '| model | requests | req/s | p50 ms | p99 ms | 200s |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
  `Responses other than 200: ${unexpected.length === 0 ? 'none' : unexpected.map(([k, v]) => `${k}: ${v}`).join(', ')}. The limited key got ${limited200} × 200 and ${limited429} × 429 (RATE_LIMITED), as its limit says.`,
  '',
  '| process | RSS at start MB | peak MB | mean, middle third MB | mean, last third MB | levels off |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...memoryRows.map((r) => `| ${r.name} | ${fmt(r.start)} | ${fmt(r.peak)} | ${fmt(r.middle)} | ${fmt(r.last)} | ${r.levels === undefined ? 'run too short' : r.levels ? 'yes' : 'NO'} |`),
  '',
  '![Throughput and resident memory over the soak](reliability-soak.svg)'
].join('\n')
console.log(table)
// One colour per process in both panels.
const colour: Record<string, string> = { resnet: '#4f46e5', mobilenet: '#0891b2', 'resnet-int8': '#16a34a', gateway: '#d97706' }
writeFileSync(CHART, twoPanelChart(
  { title: 'Throughput per model', unit: 'requests/s', series: MODELS.map((m) => ({ name: m, points: throughput.get(m)!, colour: colour[m] })) },
  { title: 'Resident memory per process', unit: 'MB', series: procs.map((p) => ({ name: p.name, points: memory.get(p.name)!, colour: colour[p.name] })) }
))
const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Reliability\n'
writeFileSync(DOC, replaceSection(doc, 'bench-soak', `## Soak (\`pnpm bench:soak\`)\n\n${table}`))
console.error(`wrote ${DOC} and ${CHART}`)
if (unexpected.length > 0 || memoryRows.some((r) => r.levels === false)) process.exitCode = 1
