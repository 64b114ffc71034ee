import { LogLevelSchema } from '@modelgate/server-kit'
import Type, { type Static } from 'typebox'

/** Every setting of the web UI's server (README: "Configuration"). */
export const WebConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  WEB_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  /** Where the page sends its API calls; given to the page at serve time, not at build time. */
  GATEWAY_URL: Type.String({ default: 'http://127.0.0.1:8080', pattern: '^https?://[^\\s]+$' }),
  LOG_LEVEL: LogLevelSchema,
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 })
})
export type WebConfig = Static<typeof WebConfigSchema>
