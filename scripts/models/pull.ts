// `pnpm models pull`: fetch each catalog model into MODELS_DIR/<id>/ and leave a complete, verified bundle.
// model.json is written last, so a folder holds a bundle only once every file in it is checked.
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeFileAtomic } from './atomic-write.ts'
import { defaultCatalogDir, listCatalogIds, loadCatalogEntry, type CatalogEntry } from './catalog.ts'
import { fetchToBuffer, fetchToFile, type FetchOptions } from './download.ts'
import { ModelsError } from './errors.ts'
import { formatLabels, parseLabels, stripSynsetIds } from './labels.ts'
import { silentProgress, type Progress } from './progress.ts'
import { describeSource, sourcesFor } from './sources.ts'
import { checkBundle, isVerifiedFile } from './verify.ts'

export interface PullOptions {
  /** Absolute path of the folder that holds one bundle folder per model id. */
  modelsDir: string
  /** Model ids; all of the catalog when empty. */
  ids?: string[]
  catalogDir?: string
  /** A mirror folder or base URL holding the catalog's file names, used instead of the catalog URLs. */
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
  // Read every entry before fetching anything: a typo in an id fails at once, not after a long download.
  const entries = await Promise.all(ids.map((id) => loadCatalogEntry(catalogDir, id)))
  const labelsCache = new Map<string, Buffer>()
  const results: PullResult[] = []
  for (const entry of entries) {
    results.push(await pullOne(entry, opts, labelsCache))
    if (opts.signal?.aborted === true) break
  }
  return results
}

async function pullOne (entry: CatalogEntry, opts: PullOptions, labelsCache: Map<string, Buffer>): Promise<PullResult> {
  const { manifest } = entry
  const dir = join(opts.modelsDir, manifest.id)
  const files = [manifest.file, entry.labels.file]
  const progress = opts.progress ?? silentProgress
  const existing = await checkBundle(dir, manifest)
  if (existing.ok) {
    progress.note(`${manifest.id}: bundle present and verified in ${dir}`)
    return { id: manifest.id, dir, status: 'present', files }
  }
  const created = await mkdir(dir, { recursive: true }) !== undefined
  const fetchOpts: FetchOptions = {
    progress,
    signal: opts.signal ?? new AbortController().signal,
    idleMs: opts.idleMs ?? 60_000,
    label: manifest.id
  }
  const cwd = opts.cwd ?? process.cwd()
  const sourcesOpts = { from: opts.from, cwd }
  try {
    // A stale model.json would make the folder look complete while its files are being replaced.
    await rm(join(dir, 'model.json'), { force: true })
    const labels = await fetchLabels(entry, sourcesOpts, fetchOpts, labelsCache)
    const modelPath = join(dir, manifest.file)
    if (await isVerifiedFile(modelPath, manifest.sha256, manifest.bytes)) {
      progress.note(`${manifest.id}: ${manifest.file} already present and verified`)
    } else {
      const source = await fetchToFile(manifest, sourcesFor(manifest.file, entry.urls, opts.from, cwd), modelPath, fetchOpts)
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
