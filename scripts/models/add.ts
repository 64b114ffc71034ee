// `pnpm models add`: turns a user's own ONNX image classifier and labels file into a bundle in
// MODELS_DIR/<id>/, after checking the model is something the service can serve.
import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import Value from 'typebox/value'
import { ManifestSchema, parseManifest, type Manifest } from '../../services/model-server/src/bundle/manifest.ts'
import { writeFileAtomic } from './atomic-write.ts'
import { fetchToFile } from './download.ts'
import { ModelsError } from './errors.ts'
import { formatLabels, parseLabels } from './labels.ts'
import { readOnnxInfo } from './onnx-info.ts'
import { silentProgress, type Progress } from './progress.ts'
import { readServingShape } from './serving-shape.ts'
import { sha256File } from './verify.ts'

type Rgb = [number, number, number]

export interface AddOptions {
  id: string
  /** Absolute paths. */
  onnx: string
  labels: string
  modelsDir: string
  name?: string
  version?: string
  /** Square input size, for models whose height and width are dynamic. */
  size?: number
  shorterSide?: number
  scale?: number
  mean?: Rgb
  std?: Rgb
  activation?: 'softmax' | 'none'
  /** The output holding the class scores, when the model has several. */
  output?: string
  /** Replace a bundle already in MODELS_DIR/<id>. */
  force?: boolean
  progress?: Progress
}

// ImageNet statistics on 0..1 pixels: what most published classifiers were trained with.
const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406]
const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225]

export async function addModel (opts: AddOptions): Promise<{ dir: string, manifest: Manifest, warnings: string[] }> {
  if (!Value.Check(ManifestSchema.properties.id, opts.id)) {
    throw new ModelsError(`--id "${opts.id}" is not a valid model id: lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters.`)
  }
  const dir = join(opts.modelsDir, opts.id)
  const manifestPath = join(dir, 'model.json')
  if (opts.force !== true && await stat(manifestPath).catch(() => undefined) !== undefined) {
    throw new ModelsError(`${dir} already holds a bundle; pass --force to replace it.`)
  }
  const labels = parseLabels((await readUserFile(opts.labels, '--labels')).toString('utf8'), opts.labels)
  const bytes = await fileSize(opts.onnx, '--onnx')

  const info = await readOnnxInfo(opts.onnx)
  const shape = await readServingShape(info, opts).finally(() => info.close())
  if (labels.length !== shape.classes) {
    throw new ModelsError(`${opts.labels} has ${labels.length} labels, but output "${shape.output.name}" has ${shape.classes} classes; give one label a line, in output order.`)
  }

  const manifest = parseManifest({
    id: opts.id,
    name: opts.name ?? opts.id,
    version: opts.version ?? '1.0.0',
    file: 'model.onnx',
    sha256: await sha256File(opts.onnx),
    bytes,
    labels: 'labels.txt',
    classes: shape.classes,
    input: {
      name: shape.input.name,
      layout: 'NCHW',
      width: shape.width,
      height: shape.height,
      resize: { shorterSide: opts.shorterSide ?? Math.max(shape.width, shape.height), crop: 'center' },
      scale: opts.scale ?? 255,
      mean: opts.mean ?? IMAGENET_MEAN,
      std: opts.std ?? IMAGENET_STD
    },
    output: { name: shape.output.name, activation: opts.activation ?? 'softmax' },
    source: {
      origin: 'pnpm models add',
      onnx: basename(opts.onnx),
      labels: basename(opts.labels),
      inputShape: shape.input.shape,
      outputShape: shape.output.shape,
      addedAt: new Date().toISOString()
    }
  }, manifestPath)

  await mkdir(dir, { recursive: true })
  await rm(manifestPath, { force: true })
  // Copied like a download: to a temporary file, checked against the hash taken above, then renamed.
  await fetchToFile(manifest as Manifest & { bytes: number }, [{ kind: 'file', path: opts.onnx }], join(dir, manifest.file), {
    progress: opts.progress ?? silentProgress,
    signal: new AbortController().signal,
    idleMs: 60_000,
    label: opts.id
  })
  await writeFileAtomic(join(dir, manifest.labels), formatLabels(labels))
  await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
  return { dir, manifest, warnings: shape.warnings }
}

async function readUserFile (path: string, flag: string): Promise<Buffer> {
  return await readFile(path).catch((err: NodeJS.ErrnoException) => { throw userFileError(err, path, flag) })
}

async function fileSize (path: string, flag: string): Promise<number> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => { throw userFileError(err, path, flag) })
  if (!info.isFile()) throw new ModelsError(`${flag} ${path}: not a file`)
  return info.size
}

function userFileError (err: NodeJS.ErrnoException, path: string, flag: string): ModelsError {
  return new ModelsError(`${flag} ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message}`)
}
