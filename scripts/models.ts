// `pnpm models pull|add|verify|compare`: get model bundles into MODELS_DIR, and compare two. See docs/models.md.
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ManifestError } from '../services/model-server/src/bundle/manifest.ts'
import { addModel } from './models/add.ts'
import { ModelsError } from './models/errors.ts'
import { createProgress } from './models/progress.ts'
import { pullAdvice, pullModels } from './models/pull.ts'
import { checkBundle } from './models/verify.ts'

const USAGE = `Usage:
  pnpm models pull [id...] [--from <folder|url>] [--catalog <folder>]
      Download the catalog models (default: all) into MODELS_DIR/<id>/, checking size and sha256.
      --from      a mirror folder or http(s) base URL (air-gapped installs), holding whole bundles
                  (<id>/model.json and the files it names) or the catalog's file names
      --catalog   a folder of catalog entries instead of models/zoo/
  pnpm models add --id ID --onnx FILE --labels FILE [options]
      Make a bundle in MODELS_DIR/ID from your own ONNX image classifier.
      --name N  --version V  --size N (dynamic input size)  --shorter-side N  --scale S
      --mean a,b,c  --std a,b,c  --activation softmax|none  --output NAME  --force
  pnpm models verify [id...]
      Check the bundles in MODELS_DIR (default: every folder in it).
  pnpm models compare <id-or-bundle> <id-or-bundle> [--images <folder>] [--labels <file>] [--json]
      Run both on every image of a folder: top-1 agreement, top-5 overlap, top-1 probability
      difference, latency and throughput at batch 1 and 8, model size and peak RSS.
      --images    default: a bundle's samples/ folder, else ../shared/images
      --labels    a CSV of file,label (several right answers: a|b): each model's top-1/top-5 accuracy
      --json      the same figures as JSON on stdout
Environment: MODELS_DIR, the folder of bundles (default: .models in the folder the command runs from).`

const OPTIONS = {
  from: { type: 'string' },
  catalog: { type: 'string' },
  id: { type: 'string' },
  onnx: { type: 'string' },
  labels: { type: 'string' },
  name: { type: 'string' },
  version: { type: 'string' },
  size: { type: 'string' },
  'shorter-side': { type: 'string' },
  scale: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  activation: { type: 'string' },
  output: { type: 'string' },
  force: { type: 'boolean' },
  images: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS, allowPositionals: true }>>['values']

class UsageError extends ModelsError {
  constructor (message: string) { super(`${message}\n\n${USAGE}`, 2) }
}

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  const [command, ...ids] = positionals
  if (values.help === true || command === undefined) {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined && values.help !== true ? 2 : 0
  }
  // pnpm runs scripts from the repository root; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd()
  const modelsDir = resolve(cwd, process.env.MODELS_DIR ?? '.models')
  if (command === 'pull') return await pull(ids, values, cwd, modelsDir)
  if (command === 'add') return await add(ids, values, cwd, modelsDir)
  if (command === 'verify') return await verify(ids, modelsDir)
  if (command === 'compare') return await compare(ids, values, cwd, modelsDir)
  throw new UsageError(`Unknown command "${command}".`)
}

async function pull (ids: string[], values: Values, cwd: string, modelsDir: string): Promise<number> {
  allowOnly(values, ['from', 'catalog'])
  const controller = new AbortController()
  const onSignal = (): void => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const results = await pullModels({
    modelsDir,
    ids,
    cwd,
    progress: createProgress(process.stderr),
    signal: controller.signal,
    ...(values.catalog === undefined ? {} : { catalogDir: resolve(cwd, values.catalog) }),
    ...(values.from === undefined ? {} : { from: values.from })
  }).finally(() => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  })
  if (controller.signal.aborted) throw new ModelsError('Cancelled; nothing partial was left behind.', 130)
  const failed = results.filter((result) => result.status === 'failed')
  for (const result of failed) process.stderr.write(`\n${result.id}: not pulled. ${result.error ?? ''}\n`)
  if (failed.length === 0) return 0
  process.stderr.write(`\n${pullAdvice(failed, modelsDir)}\n`)
  return 1
}

async function add (ids: string[], values: Values, cwd: string, modelsDir: string): Promise<number> {
  if (ids.length > 0) throw new UsageError(`add takes no positional arguments (got ${ids.join(' ')}); use --id.`)
  allowOnly(values, ['id', 'onnx', 'labels', 'name', 'version', 'size', 'shorter-side', 'scale', 'mean', 'std', 'activation', 'output', 'force'])
  const { id, onnx, labels, activation } = values
  if (id === undefined || onnx === undefined || labels === undefined) throw new UsageError('add needs --id, --onnx and --labels.')
  if (activation !== undefined && activation !== 'softmax' && activation !== 'none') {
    throw new UsageError(`--activation must be softmax or none, not "${activation}".`)
  }
  const { dir, manifest, warnings } = await addModel({
    id,
    onnx: resolve(cwd, onnx),
    labels: resolve(cwd, labels),
    modelsDir,
    force: values.force === true,
    ...defined({
      name: values.name,
      version: values.version,
      activation,
      output: values.output,
      size: optionalNumber(values.size, '--size', true),
      shorterSide: optionalNumber(values['shorter-side'], '--shorter-side', true),
      scale: optionalNumber(values.scale, '--scale', false),
      mean: optionalRgb(values.mean, '--mean'),
      std: optionalRgb(values.std, '--std')
    })
  })
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`)
  const { input, output } = manifest
  process.stderr.write(`${id}: bundle ready in ${dir}: input "${input.name}" 3x${input.height}x${input.width}, ` +
    `output "${output.name}" ${manifest.classes} classes (${output.activation}), resize shorter side ${input.resize.shorterSide}, ` +
    `mean ${input.mean.join(',')}, std ${input.std.join(',')}, scale ${input.scale}\n`)
  return 0
}

async function verify (ids: string[], modelsDir: string): Promise<number> {
  const names = ids.length > 0
    ? ids
    : (await readdir(modelsDir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name)
  if (names.length === 0) throw new ModelsError(`No bundles in ${modelsDir}. Run \`pnpm models pull\` or set MODELS_DIR.`)
  let bad = 0
  for (const name of names) {
    const check = await checkBundle(join(modelsDir, name))
    if (!check.ok) bad += 1
    process.stderr.write(check.ok
      ? `${name}: ok (${check.manifest.name} ${check.manifest.version}, ${check.manifest.file} sha256 verified)\n`
      : `${name}: NOT a complete bundle: ${check.reason}\n`)
  }
  return bad === 0 ? 0 : 1
}

async function compare (refs: string[], values: Values, cwd: string, modelsDir: string): Promise<number> {
  allowOnly(values, ['images', 'labels', 'json'])
  if (refs.length !== 2) throw new UsageError(`compare takes two models (ids or bundle folders), not ${refs.length}.`)
  // Loaded here: it reads the gateway's comparison, which the model images' `pnpm models pull` stage does not have.
  const { compareModels, formatComparison } = await import('./models/compare.ts')
  const comparison = await compareModels({
    refs: refs as [string, string],
    modelsDir,
    cwd,
    progress: createProgress(process.stderr),
    ...(values.images === undefined ? {} : { images: values.images }),
    ...(values.labels === undefined ? {} : { labels: values.labels })
  })
  process.stdout.write(values.json === true ? `${JSON.stringify(comparison, null, 2)}\n` : `${formatComparison(comparison)}\n`)
  return 0
}

function allowOnly (values: Values, allowed: string[]): void {
  const extra = Object.keys(values).filter((key) => !allowed.includes(key))
  if (extra.length > 0) throw new UsageError(`This command does not take --${extra.join(', --')}.`)
}

function defined<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function optionalNumber (text: string | undefined, flag: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, not "${text}".`)
  }
  return value
}

function optionalRgb (text: string | undefined, flag: string): [number, number, number] | undefined {
  if (text === undefined) return undefined
  const parts = text.split(',').map((part) => Number(part.trim()))
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) {
    throw new UsageError(`${flag} takes three numbers, one per channel in RGB order: ${flag} 0.485,0.456,0.406 (got "${text}").`)
  }
  return parts as [number, number, number]
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  const known = err instanceof ModelsError || err instanceof ManifestError
  process.stderr.write(`${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`)
  process.exitCode = err instanceof ModelsError ? err.exitCode : 1
})
