// The service token of `pnpm start`: made once in <DATA_DIR>/service-token (mode 0600) and handed to
// the model services and the gateway it starts (SERVICE_TOKEN_FILE), so that only that gateway may call
// those services. A SERVICE_TOKEN or SERVICE_TOKEN_FILE in the environment is used instead.
import { randomBytes } from 'node:crypto'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export async function serviceTokenEnv (dataDir: string, env: Record<string, string | undefined>): Promise<Record<string, string>> {
  if (env.SERVICE_TOKEN !== undefined || env.SERVICE_TOKEN_FILE !== undefined) return {}
  const path = join(dataDir, 'service-token')
  try {
    await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    await chmod(path, 0o600)
  }
  return { SERVICE_TOKEN_FILE: path }
}
