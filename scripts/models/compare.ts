// `pnpm models compare <a> <b>`: two bundles on the same folder of images, offline. Each model runs in
// a child process of its own, one after the other (scripts/models/compare-worker.ts); the answers are
// compared as the gateway compares a shadow's (gateway/src/shadow/compare.ts), so the offline figures
// and the live ones mean the same.
import { fork } from 'node:child_process'
import { type Dirent, existsSync, statSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { join, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareAnswers } from '../../gateway/src/shadow/compare.ts'
import { loadBundle } from '../../services/model-server/src/bundle/load-bundle.ts'
import type { ImageResult, WorkerMessage, WorkerRequest, WorkerResult } from './compare-worker.ts'
import { ModelsError } from './errors.ts'
import type { Progress } from './progress.ts'

export interface CompareOptions {
  /** Two bundle folders or ids in modelsDir. */
  refs: [string, string]
  modelsDir: string
  cwd: string
  images?: string
  labels?: string
  progress: Progress
  runs?: WorkerRequest['runs']
}

export interface ModelFigures {
  ref: string
  id: string
  version: string
  dir: string
  classes: number
  fileBytes: number
  peakRssBytes: number
  latencyMs: { batch1: { p50: number | null, p99: number | null }, batch8: { p50: number | null, p99: number | null } }
  imagesPerSecond: { batch1: number | null, batch8: number | null }
  /** With --labels: over the labelled images both models took. */
  accuracy: { labelled: number, top1: number | null, top5: number | null } | null
}

export interface Comparison {
  models: [ModelFigures, ModelFigures]
  images: { folder: string, total: number, compared: number, excluded: Array<{ file: string, errors: Record<string, string> }> }
  /** Null when the two label sets differ (then only accuracy compares them). */
  agreement: { top1: number | null, top5Overlap: number | null, meanAbsTop1ProbabilityDelta: number | null } | null
  disagreements: Array<{ file: string, top1: [{ label: string, probability: number }, { label: string, probability: number }] }>
  /** Files in the labels file that are not in the folder. */
  unknownLabelledFiles: string[]
}

const SHARED_IMAGES = fileURLToPath(new URL('../../../shared/images/', import.meta.url))
const WORKER = fileURLToPath(new URL('./compare-worker.ts', import.meta.url))
const DEFAULT_RUNS = { batch1: 30, batch8: 8 }

/** A bundle folder given as a path, else an id in MODELS_DIR. */
export function resolveBundle (ref: string, modelsDir: string, cwd: string): string {
  const asPath = resolvePath(cwd, ref)
  if (existsSync(join(asPath, 'model.json'))) return asPath
  const inModels = join(modelsDir, ref)
  if (existsSync(join(inModels, 'model.json'))) return inModels
  throw new ModelsError(`"${ref}" is neither a bundle folder nor a model in ${modelsDir} (no model.json). Run \`pnpm models pull ${ref}\` or give a bundle's path.`)
}

/** --images, else the first bundle's own `samples/` folder, else ../shared/images when present. */
function imagesFolder (opts: CompareOptions, dirs: string[]): string {
  if (opts.images !== undefined) {
    const folder = resolvePath(opts.cwd, opts.images)
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new ModelsError(`--images ${opts.images}: not a folder.`)
    return folder
  }
  const found = [...dirs.map((dir) => join(dir, 'samples')), SHARED_IMAGES].find((dir) => existsSync(dir) && statSync(dir).isDirectory())
  if (found === undefined) throw new ModelsError('No images to compare on: give --images <folder> (neither bundle has a samples/ folder, and there is no ../shared/images).')
  return found
}

/**
 * The labels file: `file,label` a line (a header line `file,label` and `#` comments are skipped). The
 * label is everything after the first comma; several right answers are separated by `|`
 * (`cat.jpg,tabby|tiger cat`). A prediction is right when its label, or one of its comma-separated
 * names (`tabby, tabby cat`), is one of them, case aside.
 */
export function parseLabelsFile (text: string, source: string): Map<string, string[]> {
  const labels = new Map<string, string[]>()
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || (i === 0 && /^file\s*,\s*label$/i.test(trimmed))) return
    const comma = trimmed.indexOf(',')
    const file = trimmed.slice(0, comma).trim()
    const answers = trimmed.slice(comma + 1).split('|').map((a) => a.trim().toLowerCase()).filter((a) => a !== '')
    if (comma <= 0 || answers.length === 0) throw new ModelsError(`${source}, line ${i + 1}: expected "file,label", got "${trimmed}".`)
    labels.set(file, answers)
  })
  if (labels.size === 0) throw new ModelsError(`${source}: no "file,label" lines.`)
  return labels
}

function isRight (label: string, answers: string[]): boolean {
  const names = [label, ...label.split(',')].map((n) => n.trim().toLowerCase())
  return names.some((n) => answers.includes(n))
}

function quantile (values: number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}

const round = (n: number | null, digits = 4): number | null => n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits

async function runWorker (request: WorkerRequest, step: () => void): Promise<WorkerResult> {
  return await new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let result: WorkerResult | undefined
    let failure: string | undefined
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'step') step()
      else if (message.type === 'done') result = message.result
      else failure = message.message
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (result !== undefined) resolve(result)
      else reject(new ModelsError(`${request.bundleDir}: ${failure ?? `the model's process ended (${signal ?? `exit code ${code}`}) before it answered`}`))
    })
    child.send(request)
  })
}

function figures (ref: string, dir: string, r: WorkerResult, accuracy: ModelFigures['accuracy']): ModelFigures {
  const perSecond = (ms: number | null, images: number): number | null => ms === null || ms <= 0 ? null : round(images * 1000 / ms, 1)
  const b1 = quantile(r.batch1Ms, 0.5)
  const b8 = quantile(r.batch8Ms, 0.5)
  return {
    ref,
    id: r.id,
    version: r.version,
    dir,
    classes: r.classes,
    fileBytes: r.fileBytes,
    peakRssBytes: r.peakRssBytes,
    latencyMs: {
      batch1: { p50: round(b1, 2), p99: round(quantile(r.batch1Ms, 0.99), 2) },
      batch8: { p50: round(b8, 2), p99: round(quantile(r.batch8Ms, 0.99), 2) }
    },
    imagesPerSecond: { batch1: perSecond(b1, 1), batch8: perSecond(b8, 8) },
    accuracy
  }
}

export async function compareModels (opts: CompareOptions): Promise<Comparison> {
  const dirs = opts.refs.map((ref) => resolveBundle(ref, opts.modelsDir, opts.cwd))
  const folder = imagesFolder(opts, dirs)
  const labelled = opts.labels === undefined ? undefined : parseLabelsFile(await readFile(resolvePath(opts.cwd, opts.labels), 'utf8').catch(() => { throw new ModelsError(`--labels ${opts.labels}: cannot be read.`) }), opts.labels)
  const entries = await readdir(folder, { withFileTypes: true })
  // Links to files count as files (a folder of links to photos kept elsewhere).
  const isFile = (e: Dirent): boolean => e.isFile() || (e.isSymbolicLink() && (statSync(join(folder, e.name), { throwIfNoEntry: false })?.isFile() ?? false))
  const files = entries.filter((e) => !e.name.startsWith('.') && isFile(e)).map((e) => e.name).sort()
  if (files.length === 0) throw new ModelsError(`${folder}: no files to compare on.`)
  const runs = opts.runs ?? DEFAULT_RUNS
  const request = (dir: string): WorkerRequest => ({ bundleDir: dir, images: files.map((f) => join(folder, f)), runs })

  // Refused before anything runs: answers over different classes cannot be compared class by class.
  const [la, lb] = await Promise.all(dirs.map(async (dir) => (await loadBundle(dir)).labels)) as [string[], string[]]
  const sameLabels = la.length === lb.length && new Set([...la, ...lb]).size === la.length
  if (!sameLabels && labelled === undefined) {
    throw new ModelsError(`${opts.refs[0]} (${la.length} classes: ${la.slice(0, 3).map((l) => l.split(',')[0]).join(', ')}, …) and ${opts.refs[1]} (${lb.length} classes: ${lb.slice(0, 3).map((l) => l.split(',')[0]).join(', ')}, …) ` +
      'have different label sets: their answers cannot be compared class by class. Give --labels <file.csv> (file,label a line) to compare each one\'s accuracy on its own.')
  }

  const results: WorkerResult[] = []
  for (const [i, dir] of dirs.entries()) {
    opts.progress.start(`${opts.refs[i]} on ${files.length} ${files.length === 1 ? 'file' : 'files'}`, files.length + runs.batch1 + runs.batch8, 'steps')
    results.push(await runWorker(request(dir), () => { opts.progress.advance(1) }).finally(() => { opts.progress.end() }))
  }
  const [a, b] = results as [WorkerResult, WorkerResult]

  const excluded: Comparison['images']['excluded'] = []
  const pairs: Array<[string, ImageResult & { predictions: Array<{ label: string, probability: number }> }, ImageResult & { predictions: Array<{ label: string, probability: number }> }]> = []
  files.forEach((file, i) => {
    const [x, y] = [a.images[i]!, b.images[i]!]
    if ('error' in x || 'error' in y) {
      excluded.push({ file, errors: Object.fromEntries([[opts.refs[0], x], [opts.refs[1], y]].filter(([, r]) => 'error' in (r as ImageResult)).map(([ref, r]) => [ref, (r as { error: string }).error])) })
    } else {
      pairs.push([file, x, y])
    }
  })

  let agreement: Comparison['agreement'] = null
  const disagreements: Comparison['disagreements'] = []
  if (sameLabels) {
    let agreeing = 0
    let overlap = 0
    let delta = 0
    for (const [file, x, y] of pairs) {
      const c = compareAnswers(x, y)
      if (c.top1Agrees) agreeing++
      else disagreements.push({ file, top1: [x.predictions[0]!, y.predictions[0]!] })
      overlap += c.top5Overlap
      delta += c.absTop1ProbabilityDelta
    }
    const mean = (sum: number): number | null => pairs.length === 0 ? null : round(sum / pairs.length)
    agreement = { top1: mean(agreeing), top5Overlap: mean(overlap), meanAbsTop1ProbabilityDelta: mean(delta) }
  }

  const accuracy = (side: 1 | 2): ModelFigures['accuracy'] => {
    if (labelled === undefined) return null
    const judged = pairs.flatMap(([file, x, y]) => {
      const answers = labelled.get(file)
      return answers === undefined ? [] : [{ answers, predictions: (side === 1 ? x : y).predictions }]
    })
    const share = (hits: number): number | null => judged.length === 0 ? null : round(hits / judged.length)
    return {
      labelled: judged.length,
      top1: share(judged.filter((j) => isRight(j.predictions[0]!.label, j.answers)).length),
      top5: share(judged.filter((j) => j.predictions.slice(0, 5).some((p) => isRight(p.label, j.answers))).length)
    }
  }

  return {
    models: [figures(opts.refs[0], dirs[0]!, a, accuracy(1)), figures(opts.refs[1], dirs[1]!, b, accuracy(2))],
    images: { folder, total: files.length, compared: pairs.length, excluded },
    agreement,
    disagreements,
    unknownLabelledFiles: labelled === undefined ? [] : [...labelled.keys()].filter((f) => !files.includes(f))
  }
}

const pct = (share: number | null): string => share === null ? '–' : `${(share * 100).toFixed(1)} %`
const ms = (n: number | null): string => n === null ? '–' : `${n.toFixed(n >= 100 ? 0 : 2)} ms`
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const perSecond = (n: number | null): string => n === null ? '–' : `${n.toFixed(1)} img/s`

/** The table `pnpm models compare` prints: one row a figure, one column a model. */
export function formatComparison (c: Comparison): string {
  const [a, b] = c.models
  const rows: Array<[string, string, string] | [string, string]> = []
  const both = (label: string, f: (m: ModelFigures) => string): void => { rows.push([label, f(a), f(b)]) }
  rows.push(['images', `${c.images.compared} of ${c.images.total} in ${c.images.folder}`])
  if (c.agreement !== null) {
    const agreeing = Math.round((c.agreement.top1 ?? 0) * c.images.compared)
    rows.push(['top-1 agreement', `${pct(c.agreement.top1)} (${agreeing} of ${c.images.compared})`])
    rows.push(['top-5 overlap', pct(c.agreement.top5Overlap)])
    rows.push(['mean |top-1 probability difference|', c.agreement.meanAbsTop1ProbabilityDelta === null ? '–' : c.agreement.meanAbsTop1ProbabilityDelta.toFixed(4)])
  } else {
    rows.push(['top-1 agreement', 'not compared: different label sets'])
  }
  if (a.accuracy !== null && b.accuracy !== null) {
    both('top-1 accuracy (labelled images)', (m) => `${pct(m.accuracy!.top1)} of ${m.accuracy!.labelled}`)
    both('top-5 accuracy (labelled images)', (m) => `${pct(m.accuracy!.top5)} of ${m.accuracy!.labelled}`)
  }
  both('latency p50 / p99, batch 1', (m) => `${ms(m.latencyMs.batch1.p50)} / ${ms(m.latencyMs.batch1.p99)}`)
  both('throughput, batch 1', (m) => perSecond(m.imagesPerSecond.batch1))
  both('latency p50 / p99, batch 8', (m) => `${ms(m.latencyMs.batch8.p50)} / ${ms(m.latencyMs.batch8.p99)}`)
  both('throughput, batch 8', (m) => perSecond(m.imagesPerSecond.batch8))
  both('model file', (m) => mb(m.fileBytes))
  both('peak RSS', (m) => mb(m.peakRssBytes))

  const name = (m: ModelFigures): string => m.ref === m.id ? `${m.id} ${m.version}` : `${m.ref} (${m.id} ${m.version})`
  const head: [string, string, string] = ['', name(a), name(b)]
  const w0 = Math.max(...[head, ...rows].map((r) => r[0].length))
  const w1 = Math.max(...[head, ...rows].filter((r) => r.length === 3).map((r) => r[1].length))
  const lines = [head, ...rows].map((r) => r.length === 3 ? `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd() : `${r[0].padEnd(w0)}  ${r[1]}`)
  for (const d of c.disagreements) {
    lines.push(`disagree on ${d.file}: ${d.top1[0].label} (${pct(d.top1[0].probability)}) vs ${d.top1[1].label} (${pct(d.top1[1].probability)})`)
  }
  for (const e of c.images.excluded) {
    const errors = Object.entries(e.errors)
    const same = errors.length === 2 && errors[0]![1] === errors[1]![1]
    lines.push(`left out ${e.file}: ${same ? `${errors[0]![1]} (both)` : errors.map(([ref, error]) => `${ref}: ${error}`).join('; ')}`)
  }
  for (const f of c.unknownLabelledFiles) lines.push(`labelled but not in the folder: ${f}`)
  lines.push('latency: inference only (onnxruntime, all cores), each model alone in its own process; the images are decoded once beforehand.')
  return lines.join('\n')
}
