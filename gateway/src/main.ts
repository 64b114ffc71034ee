// The gateway process: the only place that reads the environment or listens on a port.
import { exitOnStartError, loadConfig, runServer } from '@modelgate/server-kit'
import { buildGateway } from './app.ts'
import { openKeyStore } from './auth/key-store.ts'
import { ConfigSchema, loadUpstreamsFile } from './config.ts'
import { UpstreamRegistry } from './upstreams/registry.ts'
import { dataPaths } from './data-paths.ts'

try {
  const config = loadConfig(ConfigSchema, process.env)
  const paths = dataPaths(config, process.env)
  const registry = new UpstreamRegistry(await loadUpstreamsFile(paths.upstreams))
  const keyStore = await openKeyStore({ databaseUrl: config.DATABASE_URL, sqlitePath: paths.keysDb })
  const app = buildGateway({ config, keyStore, upstreams: registry })
  app.addHook('onClose', async () => { await keyStore.close() })

  // SIGHUP re-reads the upstreams file; a bad file is logged and the current table kept.
  process.on('SIGHUP', () => {
    loadUpstreamsFile(paths.upstreams).then((file) => {
      registry.update(file)
      app.log.info({ file: paths.upstreams, models: registry.ids() }, 'upstreams reloaded')
      return app.healthChecker.checkNow()
    }).catch((err: unknown) => app.log.error({ err }, 'upstreams not reloaded'))
  })

  await runServer(app, { host: config.HOST, port: config.PORT, graceMs: config.SHUTDOWN_GRACE_MS, keepSignals: ['SIGHUP'] })
  app.log.info({ upstreams: paths.upstreams, keyStore: keyStore.kind, models: registry.ids() }, 'gateway ready')
} catch (err) {
  exitOnStartError(err)
}
