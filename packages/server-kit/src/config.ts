import Type, { type Static, type TSchema } from 'typebox'
import Value from 'typebox/value'

/** A whole-number setting with a default and bounds. */
export const IntSetting = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER): ReturnType<typeof Type.Integer> =>
  Type.Integer({ default: def, minimum: min, maximum: max })

/** LOG_LEVEL of every process: a pino level, `info` by default. */
export const LogLevelSchema = Type.Union([
  Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
  Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
], { default: 'info' })

export class ConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/**
 * Reads settings from the environment (or any record) against a TypeBox schema: converts strings to
 * numbers and booleans, fills defaults, and throws a ConfigError that names every bad variable.
 */
export function loadConfig<S extends TSchema> (schema: S, env: Record<string, string | undefined>, source = 'environment'): Static<S> {
  const known = Object.keys((schema as { properties?: object }).properties ?? {})
  const picked: Record<string, unknown> = {}
  for (const key of known) {
    const value = env[key]
    if (value !== undefined && value !== '') picked[key] = value
  }
  const value = Value.Default(schema, Value.Convert(schema, picked))
  const errors = [...Value.Errors(schema, value)]
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const name = e.instancePath.replace(/^\//, '') || (e.params as { requiredProperties?: string[] }).requiredProperties?.join(', ') || '(root)'
      const got = name in picked ? ` (got ${JSON.stringify(picked[name])})` : ''
      return `  ${name}: ${e.message}${got}`
    })
    throw new ConfigError(`Invalid ${source}:\n${lines.join('\n')}`)
  }
  return value as Static<S>
}
