// The web UI's process: config → (build if stale) → serve web/dist → print the URL.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exitOnStartError, loadConfig, runServer } from '@modelgate/server-kit'
import { buildWebServer } from './server/app.ts'
import { WebConfigSchema } from './server/config.ts'
import { buildUi, isBuildStale } from './server/ensure-build.ts'

const webDir = fileURLToPath(new URL('.', import.meta.url))
const distDir = join(webDir, 'dist')

try {
  const config = loadConfig(WebConfigSchema, process.env)
  if (await isBuildStale(webDir, distDir)) {
    process.stdout.write('web: building the UI (web/dist)…\n')
    await buildUi(webDir)
  }
  const app = await buildWebServer({ distDir, gatewayUrl: config.GATEWAY_URL, logLevel: config.LOG_LEVEL })
  const address = await runServer(app, { host: config.HOST, port: config.WEB_PORT, graceMs: config.SHUTDOWN_GRACE_MS })
  process.stdout.write(`web: Modelgate UI at ${address} (gateway ${config.GATEWAY_URL})\n`)
} catch (err) {
  exitOnStartError(err)
}
