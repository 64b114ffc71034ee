import { IntSetting, LogLevelSchema, ServiceTokenSettings } from '@modelgate/server-kit'
import Type, { type Static } from 'typebox'

/** Every setting of a model service; env variables override the service's service.json. */
export const ConfigSchema = Type.Object({
  MODEL_BUNDLE: Type.String({ minLength: 1 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: IntSetting(8100, 0, 65535),
  LOG_LEVEL: LogLevelSchema,
  MAX_BODY_BYTES: IntSetting(16 * 1024 * 1024, 1024),
  MAX_IMAGE_PIXELS: IntSetting(40_000_000, 1),
  REQUEST_TIMEOUT_MS: IntSetting(30_000, 1000),
  BATCH_MAX_SIZE: IntSetting(8, 1, 256),
  BATCH_MAX_WAIT_MS: Type.Number({ default: 2, minimum: 0, maximum: 1000 }),
  QUEUE_MAX: IntSetting(64, 1),
  ORT_INTRA_OP_THREADS: IntSetting(0, 0, 256),
  ORT_INTER_OP_THREADS: IntSetting(0, 0, 256),
  ORT_GRAPH_OPTIMIZATION: Type.Union([Type.Literal('disabled'), Type.Literal('basic'), Type.Literal('extended'), Type.Literal('all')], { default: 'all' }),
  IMAGE_URL_ALLOW_HOSTS: Type.String({ default: '' }),
  IMAGE_URL_TIMEOUT_MS: IntSetting(5000, 100),
  IMAGE_URL_MAX_BYTES: IntSetting(10 * 1024 * 1024, 1024),
  SHUTDOWN_GRACE_MS: IntSetting(10_000, 0),
  ...ServiceTokenSettings
})
export type Config = Static<typeof ConfigSchema>

/** service.json: one model's defaults, so the per-model packages hold configuration and no code. */
export const ServiceFileSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  batch: Type.Optional(Type.Object({
    maxSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
    maxWaitMs: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    maxQueue: Type.Optional(Type.Integer({ minimum: 1 }))
  }, { additionalProperties: false })),
  threads: Type.Optional(Type.Object({
    intraOp: Type.Optional(Type.Integer({ minimum: 0 })),
    interOp: Type.Optional(Type.Integer({ minimum: 0 }))
  }, { additionalProperties: false }))
}, { additionalProperties: false })
export type ServiceFile = Static<typeof ServiceFileSchema>

/** service.json's values under the environment variable names they default. */
export function serviceDefaults (file: ServiceFile): Record<string, string> {
  const pairs: Array<[string, number | undefined]> = [
    ['PORT', file.port],
    ['BATCH_MAX_SIZE', file.batch?.maxSize],
    ['BATCH_MAX_WAIT_MS', file.batch?.maxWaitMs],
    ['QUEUE_MAX', file.batch?.maxQueue],
    ['ORT_INTRA_OP_THREADS', file.threads?.intraOp],
    ['ORT_INTER_OP_THREADS', file.threads?.interOp]
  ]
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))
}
