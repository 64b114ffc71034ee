import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type Manifest, ManifestError, parseManifest } from './manifest.ts'

export interface Bundle {
  dir: string
  manifest: Manifest
  modelPath: string
  labels: string[]
}

export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Reads labels: one class a line, in output order; blank trailing lines ignored. */
export function parseLabels (text: string): string[] {
  const lines = text.split(/\r?\n/)
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop()
  return lines.map((l) => l.trim())
}

/** Reads and checks a bundle folder: manifest fields, model file checksum, labels count. */
export async function loadBundle (folder: string): Promise<Bundle> {
  const dir = resolve(folder)
  const manifestPath = join(dir, 'model.json')
  let raw: string
  try {
    raw = await readFile(manifestPath, 'utf8')
  } catch (err) {
    throw new ManifestError(manifestPath, '', `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); is MODEL_BUNDLE a bundle folder?`)
  }
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (err) {
    throw new ManifestError(manifestPath, '', `is not valid JSON (${(err as Error).message})`)
  }
  const manifest = parseManifest(json, manifestPath)
  const modelPath = join(dir, manifest.file)
  const labelsPath = join(dir, manifest.labels)
  let digest: string
  try {
    if (manifest.bytes !== undefined) {
      const { size } = await stat(modelPath)
      if (size !== manifest.bytes) throw new ManifestError(manifestPath, 'bytes', `is ${manifest.bytes} but ${manifest.file} has ${size} bytes`)
    }
    digest = await sha256File(modelPath)
  } catch (err) {
    if (err instanceof ManifestError) throw err
    throw new ManifestError(manifestPath, 'file', `names ${modelPath}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  if (digest !== manifest.sha256) {
    throw new ManifestError(manifestPath, 'sha256', `is ${manifest.sha256} but ${manifest.file} hashes to ${digest}: the model file is not the one the manifest describes`)
  }
  let labels: string[]
  try {
    labels = parseLabels(await readFile(labelsPath, 'utf8'))
  } catch (err) {
    throw new ManifestError(manifestPath, 'labels', `names ${labelsPath}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  if (labels.length !== manifest.classes) {
    throw new ManifestError(manifestPath, 'classes', `is ${manifest.classes} but ${manifest.labels} has ${labels.length} labels`)
  }
  return { dir, manifest, modelPath, labels }
}
