import { join, resolve } from 'node:path'
import type { Config } from './config.ts'

export interface DataPaths {
  dataDir: string
  upstreams: string
  keysDb: string
}

/**
 * Absolute paths of the gateway's files. Relative settings are read from the folder the command was
 * run in (pnpm's INIT_CWD), as for the model services, so `pnpm --dir gateway start` finds `.data/`.
 */
export function dataPaths (config: Pick<Config, 'DATA_DIR' | 'GATEWAY_UPSTREAMS' | 'KEYS_DB'>, env: Record<string, string | undefined>): DataPaths {
  const base = env.INIT_CWD ?? process.cwd()
  const dataDir = resolve(base, config.DATA_DIR)
  return {
    dataDir,
    upstreams: config.GATEWAY_UPSTREAMS === undefined ? join(dataDir, 'upstreams.json') : resolve(base, config.GATEWAY_UPSTREAMS),
    keysDb: config.KEYS_DB === undefined ? join(dataDir, 'keys.db') : resolve(base, config.KEYS_DB)
  }
}
