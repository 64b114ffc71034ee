// modelgate.config.json: which models run (each its own service process) and the platform's ports.
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import Type, { type Static, type TSchema } from 'typebox'
import Value from 'typebox/value'

const Port = Type.Integer({ minimum: 1, maximum: 65535 })

export const PlatformConfigSchema = Type.Object({
  $comment: Type.Optional(Type.String()),
  models: Type.Array(Type.Object({
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
    /** A service folder holding service.json (defaults: port, batching), relative to this file. */
    service: Type.Optional(Type.String({ minLength: 1 })),
    /** The service's port; required without `service`, else overrides service.json's. */
    port: Type.Optional(Port)
  }), { minItems: 1 }),
  gateway: Type.Object({ port: Port }),
  web: Type.Optional(Type.Object({ port: Port }))
})
export type PlatformConfig = Static<typeof PlatformConfigSchema>

const ServiceFileSchema = Type.Object({ id: Type.String(), port: Type.Optional(Port) })

export interface ModelPlan {
  id: string
  /** The model's service.json, if it has a service folder; else the model server's defaults apply. */
  serviceFile?: string
  port: number
}

export class StartError extends Error {}

async function readJson (path: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new StartError(`Cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

function check<T> (schema: TSchema, value: unknown, source: string): T {
  const errors = [...Value.Errors(schema, value)].filter((e) => e.message !== 'schema is false')
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)'}: ${e.message}`)
    throw new StartError(`Invalid ${source}:\n${[...new Set(lines)].join('\n')}`)
  }
  return value as T
}

/** Reads the platform configuration and each model's service.json (for its port). */
export async function loadPlatform (path: string): Promise<{ config: PlatformConfig, models: ModelPlan[] }> {
  const config = check<PlatformConfig>(PlatformConfigSchema, await readJson(path, 'the platform configuration'), path)
  const ids = config.models.map((m) => m.id)
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i)
  if (duplicate !== undefined) throw new StartError(`Invalid ${path}: model "${duplicate}" is listed twice`)
  const models = await Promise.all(config.models.map(async (m, i): Promise<ModelPlan> => {
    if (m.service === undefined) {
      // A model with no service folder of its own: a bundle and this entry are all it takes.
      if (m.port === undefined) throw new StartError(`Invalid ${path}: models[${i}] ("${m.id}") needs a "port" or a "service" folder`)
      return { id: m.id, port: m.port }
    }
    const file = resolve(dirname(path), m.service, 'service.json')
    const service = check<Static<typeof ServiceFileSchema>>(ServiceFileSchema, await readJson(file, `models[${i}].service's`), file)
    const port = m.port ?? service.port
    if (port === undefined) throw new StartError(`${file} has no port, and models[${i}] in ${path} sets none`)
    return { id: m.id, serviceFile: file, port }
  }))
  const ports = [config.gateway.port, ...(config.web === undefined ? [] : [config.web.port]), ...models.map((m) => m.port)]
  const clash = ports.find((p, i) => ports.indexOf(p) !== i)
  if (clash !== undefined) throw new StartError(`Invalid ${path}: port ${clash} is used twice`)
  return { config, models }
}
