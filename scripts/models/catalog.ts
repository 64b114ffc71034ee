// The catalog: one JSON file per model id (models/zoo/<id>.json) saying what `pnpm models pull` fetches,
// from where, and the exact bytes it must get.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import { parseManifest, type Manifest } from '../../services/model-server/src/bundle/manifest.ts'
import { ModelsError } from './errors.ts'

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' })
const FileName = Type.String({ minLength: 1, pattern: '^[^/\\\\]+$' })
const Urls = Type.Array(Type.String({ pattern: '^https?://' }), { minItems: 1 })

export const CatalogEntrySchema = Type.Object({
  manifest: Type.Unknown(),
  urls: Urls,
  labels: Type.Object({
    file: FileName,
    sha256: Sha256,
    bytes: Type.Integer({ minimum: 1 }),
    // 'synset': each line starts with a WordNet id ('n01440764 tench, Tinca tinca') that the bundle drops.
    format: Type.Union([Type.Literal('synset'), Type.Literal('plain')]),
    urls: Urls
  })
})

export type CatalogEntry = Omit<Static<typeof CatalogEntrySchema>, 'manifest'> & {
  manifest: Manifest & { bytes: number }
}

/** The default catalog, committed with the project. */
export const defaultCatalogDir = new URL('../../models/zoo/', import.meta.url)

export async function listCatalogIds (dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new ModelsError(`Cannot read the model catalog ${dir}: ${err.code ?? err.message}`)
  })
  return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5)).sort()
}

export async function loadCatalogEntry (dir: string, id: string): Promise<CatalogEntry> {
  const file = join(dir, `${id}.json`)
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      const known = await listCatalogIds(dir)
      throw new ModelsError(`Unknown model id "${id}": the catalog ${dir} has ${known.join(', ') || 'no models'}.`)
    }
    throw new ModelsError(`${file}: ${(err as Error).message}`)
  }
  const first = [...Value.Errors(CatalogEntrySchema, value)][0]
  if (first !== undefined) {
    throw new ModelsError(`${file}: ${first.instancePath || 'entry'} ${first.message}`)
  }
  const entry = value as CatalogEntry
  parseManifest(entry.manifest, `${file} (manifest)`)
  if (entry.manifest.id !== id) throw new ModelsError(`${file}: manifest.id is "${entry.manifest.id}", expected "${id}"`)
  if (entry.manifest.bytes === undefined) throw new ModelsError(`${file}: manifest.bytes is missing`)
  return entry
}
