// Measures the memory of each model service as its container runs it, to size Kubernetes requests and
// limits (docs/operations.md, "Sizing"). For each bundle: start the service, read its RSS when ready,
// classify every photo many times over with concurrent requests, read RSS and peak RSS (VmHWM) again;
// then send a few near-limit images at once (PNG, which libvips cannot shrink while decoding) for the worst case.
// Usage: node --import tsx infra/tools/measure-memory.ts [<id>=<bundle folder> | <id>=synthetic:<layers> ...]
//   default: the shared bundles beside the repository (../shared/models/<id>); synthetic:<layers> makes a
//   bundle with that many 9 MiB convolutions (synthetic-bundle.ts), to measure the cost of weights.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeSyntheticBundle } from './synthetic-bundle.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url))
const CONCURRENCY = 16
const ROUNDS = 8
const LARGE_SIDE = 6000
const LARGE_CONCURRENCY = 4

interface Reading { rssMiB: number, peakMiB: number }

function readStatus (pid: number): Reading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) }
}

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

async function waitReady (url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited (${child.exitCode}) before ${url} was ready`)
    const ok = await fetch(url).then((r) => r.ok, () => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${url} not ready`)
}

// sharp is a dependency of the model server, not of the repository root.
type Sharp = (opts: { create: { width: number, height: number, channels: 3, background: string } }) => { png: () => { toBuffer: () => Promise<Buffer> } }
const sharp = createRequire(join(ROOT, 'services/model-server/package.json'))('sharp') as Sharp

async function post (url: string, type: string, body: Buffer): Promise<boolean> {
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': type }, body })
  await res.arrayBuffer()
  return res.ok
}

async function measure (id: string, bundle: string, photos: Buffer[], large: Buffer): Promise<Record<string, unknown>> {
  const port = await freePort()
  // The image's entry command: node ../model-server/bin/model-server.js service.json in services/<id>.
  const serviceDir = join(ROOT, 'services', id)
  const child = spawn(process.execPath, [join(ROOT, 'services/model-server/bin/model-server.js'), 'service.json'], {
    cwd: serviceDir,
    env: { ...process.env, MODEL_BUNDLE: bundle, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  try {
    const url = `http://127.0.0.1:${port}`
    await waitReady(`${url}/readyz`, child)
    const pid = child.pid as number
    const ready = readStatus(pid)
    let failed = 0
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => await post(url, 'image/jpeg', photos[i % photos.length] as Buffer)))
      failed += results.filter((ok) => !ok).length
    }
    const loaded = readStatus(pid)
    const largeResults = await Promise.all(Array.from({ length: LARGE_CONCURRENCY }, async () => await post(url, 'image/png', large)))
    failed += largeResults.filter((ok) => !ok).length
    const worst = readStatus(pid)
    const manifest = JSON.parse(readFileSync(join(bundle, 'model.json'), 'utf8')) as { file: string, version: string }
    return {
      id,
      version: manifest.version,
      modelMiB: Math.round(statSync(join(bundle, manifest.file)).size / 1048576 * 10) / 10,
      readyRssMiB: ready.rssMiB,
      loadedRssMiB: loaded.rssMiB,
      peakRssMiB: loaded.peakMiB,
      largePeakRssMiB: worst.peakMiB,
      requests: ROUNDS * CONCURRENCY + LARGE_CONCURRENCY,
      failed
    }
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

const imagesDir = join(SHARED, 'images')
const photos = readdirSync(imagesDir).filter((f) => f.endsWith('.jpg')).map((f) => readFileSync(join(imagesDir, f)))
const scratch = mkdtempSync(join(tmpdir(), 'mg-measure-'))
process.on('exit', () => { rmSync(scratch, { recursive: true, force: true }) })
function bundleFor (id: string, spec: string): string {
  const layers = /^synthetic:(\d+)$/.exec(spec)?.[1]
  if (layers === undefined) return resolve(spec)
  const dir = join(scratch, `${id}-${layers}`)
  writeSyntheticBundle(dir, id, Number(layers))
  return dir
}
const targets = process.argv.length > 2
  ? process.argv.slice(2).map((arg): [string, string] => { const [id = '', spec = ''] = arg.split('='); return [id, bundleFor(id, spec)] })
  : ['resnet', 'mobilenet', 'resnet-int8'].map((id): [string, string] => [id, join(SHARED, 'models', id)])
const large = await sharp({ create: { width: LARGE_SIDE, height: LARGE_SIDE, channels: 3, background: '#6a8' } }).png().toBuffer()
const rows = []
for (const [id, bundle] of targets) rows.push(await measure(id, bundle, photos, large))
console.table(rows)
