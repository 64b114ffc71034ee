// `pnpm models pull`: fetch each catalog model, or each bundle of a mirror of bundles, into
// MODELS_DIR/<id>/ and leave a complete, verified bundle. model.json is written last, so a folder holds
// a bundle only once every file in it is checked.
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ManifestError, parseManifest, type Manifest } from '../../services/model-server/src/bundle/manifest.ts'
import { writeFileAtomic } from './atomic-write.ts'
import { defaultCatalogDir, listCatalogIds, loadCatalogEntry, type CatalogEntry } from './catalog.ts'
import { FetchFailed, fetchToBuffer, fetchToFile, type FetchOptions } from './download.ts'
import { ModelsError } from './errors.ts'
import { formatLabels, parseLabels, stripSynsetIds } from './labels.ts'
import { silentProgress, type Progress } from './progress.ts'
import { describeSource, mirrorSource, sourcesFor, type Source } from './sources.ts'
import { checkBundle, isVerifiedFile } from './verify.ts'

export interface PullOptions {
  /** Absolute path of the folder that holds one bundle folder per model id. */
  modelsDir: string
  /** Model ids; all of the catalog when empty. */
  ids?: string[]
  catalogDir?: string
  /**
   * A mirror folder or base URL, used instead of the catalog URLs: holding whole bundles
   * (<id>/model.json and the files it names), or the catalog's file names.
   */
  from?: string
  /** Resolves a relative `from`. */
  cwd?: string
  progress?: Progress
  signal?: AbortSignal
  /** A source that sends nothing for this long is given up. */
  idleMs?: number
}

export interface PullResult {
  id: string
  dir: string
  status: 'pulled' | 'present' | 'failed'
  /** The file names fetched for this model (what a mirror must hold). */
  files: string[]
  error?: string
}

export async function pullModels (opts: PullOptions): Promise<PullResult[]> {
  const catalogDir = opts.catalogDir ?? fileURLToPath(defaultCatalogDir)
  const ids = opts.ids !== undefined && opts.ids.length > 0 ? [...new Set(opts.ids)] : await listCatalogIds(catalogDir)
  if (ids.length === 0) throw new ModelsError(`The model catalog ${catalogDir} is empty.`)
  const fetchOpts: Omit<FetchOptions, 'label'> = {
    progress: opts.progress ?? silentProgress,
    signal: opts.signal ?? new AbortController().signal,
    idleMs: opts.idleMs ?? 60_000
  }
  const where = { from: opts.from, cwd: opts.cwd ?? process.cwd() }
  // Read every manifest before fetching anything: a typo in an id fails at once, not after a long download.
  // A mirror may hold whole bundles (<mirror>/<id>/model.json); an id it does not hold comes from the catalog.
  const labelsCache = new Map<string, Buffer>()
  const plans: Array<Plan | Unreadable> = []
  for (const id of ids) {
    const bundle = where.from === undefined ? undefined : await mirrorBundle(id, where.from, where.cwd, fetchOpts)
    if (bundle === undefined && where.from !== undefined && !(await listCatalogIds(catalogDir)).includes(id)) {
      throw new ModelsError(`Unknown model id "${id}": the mirror ${where.from} holds no ${id}/model.json, and the catalog ${catalogDir} has no ${id}.json.`)
    }
    plans.push(bundle ?? catalogPlan(await loadCatalogEntry(catalogDir, id), where, fetchOpts, labelsCache))
  }
  const results: PullResult[] = []
  for (const plan of plans) {
    const dir = join(opts.modelsDir, plan.id)
    results.push('error' in plan ? { ...plan, dir, status: 'failed' } : await pullOne(plan, dir, fetchOpts))
    if (fetchOpts.signal.aborted) break
  }
  return results
}

/** A mirror's bundle whose model.json cannot be used. */
interface Unreadable { id: string, files: string[], error: string }

/** One model to pull: its manifest, where its model file comes from, and how to get its labels. */
interface Plan {
  id: string
  manifest: Manifest
  modelSources: Source[]
  labels: () => Promise<string[]>
  /** The file names a mirror must hold for it. */
  files: string[]
}

function catalogPlan (entry: CatalogEntry, where: { from: string | undefined, cwd: string }, fetchOpts: Omit<FetchOptions, 'label'>,
  labelsCache: Map<string, Buffer>): Plan {
  const { manifest } = entry
  return {
    id: manifest.id,
    manifest,
    modelSources: sourcesFor(manifest.file, entry.urls, where.from, where.cwd),
    labels: async () => await fetchLabels(entry, where, { ...fetchOpts, label: manifest.id }, labelsCache),
    files: [manifest.file, entry.labels.file]
  }
}

/**
 * The bundle <from>/<id>/ of a mirror of bundles, as in ../shared/models: its model.json says what the
 * model file's sha256 (and size, when given) must be. Undefined when the mirror holds no such bundle.
 */
async function mirrorBundle (id: string, from: string, cwd: string, fetchOpts: Omit<FetchOptions, 'label'>): Promise<Plan | Unreadable | undefined> {
  const source = (file: string): Source => mirrorSource(from, `${id}/${file}`, cwd)
  const opts = { ...fetchOpts, label: id }
  const where = describeSource(source('model.json'))
  const files = [`${id}/model.json`]
  let manifest: Manifest
  try {
    const { data } = await fetchToBuffer({ file: `${id}/model.json`, maxBytes: MANIFEST_MAX_BYTES }, [source('model.json')], opts)
    manifest = parseManifest(parseJson(data, where), where)
  } catch (err) {
    if (err instanceof FetchFailed && err.notFound) return undefined
    if (!(err instanceof ModelsError) && !(err instanceof ManifestError)) throw err
    return { id, files, error: err.message }
  }
  if (manifest.id !== id) return { id, files, error: `${where} is the bundle of "${manifest.id}", not of "${id}"` }
  return {
    id,
    manifest,
    modelSources: [source(manifest.file)],
    labels: async () => {
      const { data } = await fetchToBuffer({ file: manifest.labels, maxBytes: LABELS_MAX_BYTES }, [source(manifest.labels)], opts)
      const labels = parseLabels(data.toString('utf8'), describeSource(source(manifest.labels)))
      if (labels.length !== manifest.classes) throw new ModelsError(`${manifest.labels} has ${labels.length} classes, the model ${id} has ${manifest.classes}`)
      return labels
    },
    files: [...files, `${id}/${manifest.file}`, `${id}/${manifest.labels}`]
  }
}

const MANIFEST_MAX_BYTES = 1024 ** 2
const LABELS_MAX_BYTES = 16 * 1024 ** 2

function parseJson (data: Buffer, file: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'))
  } catch (err) {
    throw new ModelsError(`${file}: ${(err as Error).message}`)
  }
}

async function pullOne (plan: Plan, dir: string, fetchOpts: Omit<FetchOptions, 'label'>): Promise<PullResult> {
  const { manifest, files } = plan
  const { progress } = fetchOpts
  const existing = await checkBundle(dir, manifest)
  if (existing.ok) {
    progress.note(`${manifest.id}: bundle present and verified in ${dir}`)
    return { id: manifest.id, dir, status: 'present', files }
  }
  const created = await mkdir(dir, { recursive: true }) !== undefined
  try {
    // A stale model.json would make the folder look complete while its files are being replaced.
    await rm(join(dir, 'model.json'), { force: true })
    const labels = await plan.labels()
    const modelPath = join(dir, manifest.file)
    if (await isVerifiedFile(modelPath, manifest.sha256, manifest.bytes)) {
      progress.note(`${manifest.id}: ${manifest.file} already present and verified`)
    } else {
      const source = await fetchToFile(manifest, plan.modelSources, modelPath, { ...fetchOpts, label: manifest.id })
      progress.note(`${manifest.id}: ${manifest.file} verified (sha256 ${manifest.sha256}) from ${describeSource(source)}`)
    }
    await writeFileAtomic(join(dir, manifest.labels), formatLabels(labels))
    await writeFileAtomic(join(dir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    progress.note(`${manifest.id}: bundle ready in ${dir}`)
    return { id: manifest.id, dir, status: 'pulled', files }
  } catch (err) {
    if (!(err instanceof ModelsError)) throw err
    if (created && (await readdir(dir)).length === 0) await rmdir(dir)
    return { id: manifest.id, dir, status: 'failed', files, error: err.message }
  }
}

async function fetchLabels (entry: CatalogEntry, where: { from: string | undefined, cwd: string }, opts: FetchOptions,
  cache: Map<string, Buffer>): Promise<string[]> {
  const spec = entry.labels
  let data = cache.get(spec.sha256)
  if (data === undefined) {
    data = (await fetchToBuffer(spec, sourcesFor(spec.file, spec.urls, where.from, where.cwd), opts)).data
    cache.set(spec.sha256, data)
  }
  let labels = parseLabels(data.toString('utf8'), spec.file)
  if (spec.format === 'synset') labels = stripSynsetIds(labels, spec.file)
  if (labels.length !== entry.manifest.classes) {
    throw new ModelsError(`${spec.file} has ${labels.length} classes, the model ${entry.manifest.id} has ${entry.manifest.classes}`)
  }
  return labels
}

/** What to do when a model could not be fetched: the three ways to get bundles onto this machine. */
export function pullAdvice (failed: readonly PullResult[], modelsDir: string): string {
  const files = [...new Set(failed.flatMap((result) => result.files))].join(', ')
  const ids = failed.map((result) => result.id).join(' ')
  return [
    'What to do:',
    `  - on a machine with internet access, run \`pnpm models pull ${ids}\` and copy the resulting folders into ${modelsDir}, or`,
    `  - pull from a mirror (a folder or an http(s) base URL) that holds ${files}: \`pnpm models pull ${ids} --from <mirror>\`, or`,
    '  - set MODELS_DIR to a folder that already holds the bundles (<id>/model.json, the model file, labels.txt).'
  ].join('\n')
}
