// The gateway process: the only place that reads the environment or listens on a port.
import { exitOnStartError, loadConfig, readServiceTokens, runServer } from '@modelgate/server-kit'
import { setupAccessPolicies } from './access-policies.ts'
import { buildGateway, registryOptions } from './app.ts'
import { openKeyStore } from './auth/key-store.ts'
import { ConfigSchema, loadUpstreamsFile } from './config.ts'
import { UpstreamRegistry } from './upstreams/registry.ts'
import { createUpstreamsReloader } from './upstreams/reload.ts'
import { dataPaths } from './data-paths.ts'

try {
  const config = loadConfig(ConfigSchema, process.env)
  const [serviceToken] = readServiceTokens(config)
  const paths = dataPaths(config, process.env)
  const registry = new UpstreamRegistry(await loadUpstreamsFile(paths.upstreams), registryOptions(config))
  const keyStore = await openKeyStore({ databaseUrl: config.DATABASE_URL, sqlitePath: paths.keysDb })
  const policies = await setupAccessPolicies(config, paths.dataDir)
  const app = buildGateway({ config, keyStore, upstreams: registry, ...policies.options, ...(serviceToken === undefined ? {} : { serviceToken }) })
  app.addHook('onClose', policies.close)
  for (const warning of policies.warnings) app.log.warn(warning)
  app.addHook('onClose', async () => { await keyStore.close() })

  // SIGHUP, and a change to the file, re-read the upstreams file; a bad file is logged and the current table kept.
  const reloader = createUpstreamsReloader({
    path: paths.upstreams,
    registry,
    log: app.log,
    afterUpdate: async () => { await app.healthChecker.checkNow() }
  })
  process.on('SIGHUP', () => { reloader.reload('SIGHUP').catch(() => {}) })
  app.addHook('onClose', async () => { reloader.close() })

  await runServer(app, { host: config.HOST, port: config.PORT, graceMs: config.SHUTDOWN_GRACE_MS, keepSignals: ['SIGHUP'] })
  if (config.UPSTREAMS_WATCH) reloader.watch()
  app.log.info({ upstreams: paths.upstreams, keyStore: keyStore.kind, models: registry.ids() }, 'gateway ready')
  app.log.info(policies.summary, 'access policies')
} catch (err) {
  exitOnStartError(err)
}
