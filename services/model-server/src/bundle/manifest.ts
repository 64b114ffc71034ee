import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

const Rgb = Type.Array(Type.Number(), { minItems: 3, maxItems: 3 })

/** The schema of a bundle's `model.json` (docs/models.md). Unknown fields are allowed, for extensions. */
export const ManifestSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
  name: Type.String({ minLength: 1 }),
  version: Type.String({ minLength: 1, maxLength: 64 }),
  file: Type.String({ minLength: 1, pattern: '^[^/\\\\]+$' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  bytes: Type.Optional(Type.Integer({ minimum: 1 })),
  labels: Type.String({ minLength: 1, pattern: '^[^/\\\\]+$' }),
  classes: Type.Integer({ minimum: 2 }),
  input: Type.Object({
    name: Type.String({ minLength: 1 }),
    layout: Type.Literal('NCHW'),
    width: Type.Integer({ minimum: 1, maximum: 4096 }),
    height: Type.Integer({ minimum: 1, maximum: 4096 }),
    resize: Type.Object({
      shorterSide: Type.Integer({ minimum: 1, maximum: 8192 }),
      crop: Type.Literal('center')
    }),
    scale: Type.Number({ exclusiveMinimum: 0 }),
    mean: Rgb,
    std: Type.Array(Type.Number({ exclusiveMinimum: 0 }), { minItems: 3, maxItems: 3 })
  }),
  output: Type.Object({
    name: Type.String({ minLength: 1 }),
    activation: Type.Union([Type.Literal('softmax'), Type.Literal('none')])
  }),
  source: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
})
export type Manifest = Static<typeof ManifestSchema>

export class ManifestError extends Error {
  constructor (readonly file: string, readonly field: string, reason: string) {
    super(`${file}: ${field === '' ? '' : `field "${field}" `}${reason}`)
    this.name = 'ManifestError'
  }
}

/** Checks a parsed model.json; the error names the file and the first bad field. */
export function parseManifest (value: unknown, file: string): Manifest {
  const first = [...Value.Errors(ManifestSchema, value)][0]
  if (first !== undefined) {
    const missing = (first.params as { requiredProperties?: string[] }).requiredProperties
    const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const field = missing === undefined ? path : [path, missing[0]].filter(Boolean).join('.')
    throw new ManifestError(file, field, missing === undefined ? first.message : 'is missing')
  }
  const manifest = value as Manifest
  if (manifest.input.resize.shorterSide < Math.min(manifest.input.width, manifest.input.height)) {
    throw new ManifestError(file, 'input.resize.shorterSide', 'must be at least the smaller of input.width and input.height')
  }
  return manifest
}
