import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

/** The part of a model service's GET /metadata the gateway uses; other fields are ignored. */
export const ModelMetadataSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.String(),
  classes: Type.Integer({ minimum: 1 }),
  input: Type.Object({ width: Type.Integer({ minimum: 1 }), height: Type.Integer({ minimum: 1 }) })
})
export type ModelMetadata = Static<typeof ModelMetadataSchema>

/** Reads a replica's /metadata; throws when it does not answer or answers something else. */
export async function fetchMetadata (url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<ModelMetadata> {
  const res = await fetch(`${url}/metadata`, { headers, signal: AbortSignal.timeout(timeoutMs) })
  if (!res.ok) throw new Error(`GET ${url}/metadata answered ${res.status}`)
  const body: unknown = await res.json()
  const error = [...Value.Errors(ModelMetadataSchema, body)][0]
  if (error !== undefined) throw new Error(`GET ${url}/metadata: ${error.instancePath || 'body'} ${error.message}`)
  const m = body as ModelMetadata
  return { id: m.id, name: m.name, version: m.version, classes: m.classes, input: { width: m.input.width, height: m.input.height } }
}
