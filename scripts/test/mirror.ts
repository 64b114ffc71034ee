// Test fixtures for `pnpm models`: a mirror folder made from the shared ResNet bundle, a loopback HTTP
// server over it, and catalog entries that point at it. Nothing here talks to anything but 127.0.0.1.
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'

export const sharedModels = fileURLToPath(new URL('../../../shared/models/', import.meta.url))
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const resnetDir = join(sharedModels, 'resnet')

/** The mirror's file names, as a zoo mirror would hold them. */
export const MODEL_FILE = 'resnet56.onnx'
export const LABELS_FILE = 'synset.txt'

export async function tempDir (prefix = 'models-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export interface Mirror {
  root: string
  /** Bytes, size and hash of the real model and of the synset-style labels file. */
  model: { sha256: string, bytes: number }
  labels: { sha256: string, bytes: number }
}

/**
 * Folders under a temp root: good/ (the real files), corrupt/ (one byte changed), short/ (cut in half),
 * pointer/ (the Git LFS pointer text GitHub serves instead of a model).
 */
export async function makeMirror (): Promise<Mirror> {
  const root = await tempDir('models-mirror-')
  const modelJson = JSON.parse(await readFile(join(resnetDir, 'model.json'), 'utf8')) as { sha256: string }
  const bytes = (await stat(join(resnetDir, 'model.onnx'))).size
  const names = (await readFile(join(resnetDir, 'labels.txt'), 'utf8')).trim().split('\n')
  const synset = names.map((name, i) => `n${String(1440764 + i).padStart(8, '0')} ${name}`).join('\n') + '\n'
  const model = await readFile(join(resnetDir, 'model.onnx'))

  await mkdir(join(root, 'good'))
  await copyFile(join(resnetDir, 'model.onnx'), join(root, 'good', MODEL_FILE))
  await writeFile(join(root, 'good', LABELS_FILE), synset)
  await mkdir(join(root, 'corrupt'))
  const corrupt = Buffer.from(model)
  corrupt[corrupt.length >> 1] = (corrupt[corrupt.length >> 1] ?? 0) ^ 0xff
  await writeFile(join(root, 'corrupt', MODEL_FILE), corrupt)
  await mkdir(join(root, 'short'))
  await writeFile(join(root, 'short', MODEL_FILE), model.subarray(0, model.length >> 1))
  await mkdir(join(root, 'pointer'))
  await writeFile(join(root, 'pointer', MODEL_FILE),
    `version https://git-lfs.github.com/spec/v1\noid sha256:${modelJson.sha256}\nsize ${bytes}\n`)
  return {
    root,
    model: { sha256: modelJson.sha256, bytes },
    labels: { sha256: createHash('sha256').update(synset).digest('hex'), bytes: Buffer.byteLength(synset) }
  }
}

export interface MirrorServer { base: string, requests: string[] }

/**
 * Serves `root` on 127.0.0.1 (GET /<folder>/<file>); anything missing is a 404, and /stall/* never finishes.
 * Closed when the test ends.
 */
export async function serveMirror (root: string): Promise<MirrorServer> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    requests.push(path)
    if (path.startsWith('/stall/')) {
      // Headers and a first chunk, then silence: a server that hangs mid-download.
      return res.writeHead(200, { 'content-length': 1_000_000 }).write(Buffer.alloc(1024))
    }
    const file = normalize(join(root, path))
    if (!file.startsWith(root)) return res.writeHead(403).end()
    readFile(file).then((data) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length }).end(data)
    }, () => res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

/** Writes a catalog entry for the shared ResNet under id `resnet`, fetched from `urls`. */
export async function writeCatalog (mirror: Mirror, urls: string[], labelsUrls: string[],
  change: { sha256?: string } = {}): Promise<string> {
  const dir = await tempDir('models-catalog-')
  const manifest = JSON.parse(await readFile(join(resnetDir, 'model.json'), 'utf8')) as Record<string, unknown>
  const entry = {
    manifest: { ...manifest, file: MODEL_FILE, bytes: mirror.model.bytes, sha256: change.sha256 ?? mirror.model.sha256 },
    urls,
    labels: { file: LABELS_FILE, ...mirror.labels, format: 'synset', urls: labelsUrls }
  }
  await writeFile(join(dir, 'resnet.json'), JSON.stringify(entry, null, 2))
  return dir
}
