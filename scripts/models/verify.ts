// Checks that a folder is a complete bundle: its model.json parses, the model file has the recorded size
// and sha256, and the labels file has one line per class.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256File } from '../../services/model-server/src/bundle/load-bundle.ts'
import { parseManifest, type Manifest } from '../../services/model-server/src/bundle/manifest.ts'
import { parseLabels } from './labels.ts'

export { sha256File }

/** True when `path` is a file of `bytes` bytes (checked first: cheap) and the given sha256. */
export async function isVerifiedFile (path: string, sha256: string, bytes?: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined)
  if (info === undefined || !info.isFile()) return false
  if (bytes !== undefined && info.size !== bytes) return false
  return await sha256File(path) === sha256
}

export type BundleCheck = { ok: true, manifest: Manifest } | { ok: false, reason: string }

/** Verifies the bundle in `dir`; with `expected`, it must also be that build (same id, file, sha256). */
export async function checkBundle (dir: string, expected?: Manifest): Promise<BundleCheck> {
  const manifestFile = join(dir, 'model.json')
  let manifest: Manifest
  try {
    manifest = parseManifest(JSON.parse(await readFile(manifestFile, 'utf8')), manifestFile)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return { ok: false, reason: code === 'ENOENT' ? 'no model.json' : (err as Error).message }
  }
  if (expected !== undefined) {
    for (const field of ['id', 'version', 'file', 'sha256'] as const) {
      if (manifest[field] !== expected[field]) {
        return { ok: false, reason: `model.json has ${field} "${manifest[field]}", the catalog "${expected[field]}"` }
      }
    }
  }
  if (!await isVerifiedFile(join(dir, manifest.file), manifest.sha256, manifest.bytes)) {
    return { ok: false, reason: `${manifest.file} is missing or does not match its size and sha256` }
  }
  try {
    const labels = parseLabels(await readFile(join(dir, manifest.labels), 'utf8'), manifest.labels)
    if (labels.length !== manifest.classes) {
      return { ok: false, reason: `${manifest.labels} has ${labels.length} lines, model.json says ${manifest.classes} classes` }
    }
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  }
  return { ok: true, manifest }
}
