// The gateway process: the only place that reads the environment or listens on a port. With
// GATEWAY_WORKERS > 1 this process is the primary of that many workers (cluster/primary.ts), which
// run the gateway below on one port.
import cluster from 'node:cluster'
import { exitOnStartError, loadConfig, readServiceTokens, runServer } from '@modelgate/server-kit'
import pino from 'pino'
import { checkPolicyConfig, instanceLockFile, setupAccessPolicies, signingKeyFile } from './access-policies.ts'
import { buildGateway, registryOptions } from './app.ts'
import { openKeyStore } from './auth/key-store.ts'
import { loadSigningKey } from './auth/signing-key.ts'
import { type PrimaryLink, type Shutdown, connectToPrimary, isType, reportFatal } from './cluster/link.ts'
import { runPrimary } from './cluster/primary.ts'
import { type Config, ConfigSchema, loadUpstreamsFile } from './config.ts'
import { type DataPaths, dataPaths } from './data-paths.ts'
import { acquireInstanceLock } from './limits/instance-lock.ts'
import { UpstreamRegistry } from './upstreams/registry.ts'
import { createUpstreamsReloader } from './upstreams/reload.ts'

/**
 * Does once, before any worker starts, what the workers share (the data-folder lock, the session key,
 * the key store's tables), and stops at once on what would stop every worker; then forks them.
 */
async function startPrimary (config: Config, paths: DataPaths): Promise<void> {
  checkPolicyConfig(config)
  await loadUpstreamsFile(paths.upstreams)
  const lock = config.REDIS_URL === undefined ? await acquireInstanceLock(instanceLockFile(paths.dataDir)) : undefined
  await loadSigningKey({ configured: config.SESSION_SIGNING_KEY, file: signingKeyFile(paths.dataDir) })
  await (await openKeyStore({ databaseUrl: config.DATABASE_URL, sqlitePath: paths.keysDb })).close()
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'gateway', role: 'primary' } })
  log.info({ workers: config.GATEWAY_WORKERS, rateLimitStore: config.REDIS_URL === undefined ? 'workers' : 'redis' }, 'gateway starting workers')
  runPrimary({ workers: config.GATEWAY_WORKERS, graceMs: config.SHUTDOWN_GRACE_MS, log, onExit: async () => { await lock?.release() } })
}

/** What one gateway process (or one worker of several) runs. */
async function startGateway (config: Config, paths: DataPaths, link: PrimaryLink | undefined): Promise<void> {
  const [serviceToken] = readServiceTokens(config)
  // A worker gets its share of the budgets that are per gateway: requests in flight per replica, shadow requests.
  const workers = link === undefined ? 1 : config.GATEWAY_WORKERS
  const share = (n: number): number => Math.ceil(n / workers)
  const gatewayConfig = { ...config, UPSTREAM_MAX_IN_FLIGHT: share(config.UPSTREAM_MAX_IN_FLIGHT), SHADOW_MAX_IN_FLIGHT: share(config.SHADOW_MAX_IN_FLIGHT) }
  const registry = new UpstreamRegistry(await loadUpstreamsFile(paths.upstreams), registryOptions(gatewayConfig))
  const keyStore = await openKeyStore({ databaseUrl: config.DATABASE_URL, sqlitePath: paths.keysDb })
  const policies = await setupAccessPolicies(config, paths.dataDir, link === undefined ? {} : { worker: link })
  const app = buildGateway({
    config: gatewayConfig,
    keyStore,
    upstreams: registry,
    ...policies.options,
    ...(serviceToken === undefined ? {} : { serviceToken }),
    ...(link === undefined || cluster.worker === undefined ? {} : { worker: { id: cluster.worker.id, link } })
  })
  app.addHook('onClose', policies.close)
  for (const warning of policies.warnings) app.log.warn(warning)
  app.addHook('onClose', async () => { await keyStore.close() })
  link?.serveWindows(() => ({ ops: app.opsWindow.snapshot(), shadows: app.shadowWindow.snapshot() }))

  // SIGHUP, and a change to the file, re-read the upstreams file; a bad file is logged and the current table kept.
  const reloader = createUpstreamsReloader({
    path: paths.upstreams,
    registry,
    log: app.log,
    afterUpdate: async () => { await app.healthChecker.checkNow() }
  })
  process.on('SIGHUP', () => { reloader.reload('SIGHUP').catch(() => {}) })
  app.addHook('onClose', async () => { reloader.close() })

  if (link !== undefined) followPrimary()
  await runServer(app, { host: config.HOST, port: config.PORT, graceMs: config.SHUTDOWN_GRACE_MS, keepSignals: ['SIGHUP'] })
  if (config.UPSTREAMS_WATCH) reloader.watch()
  app.log.info({ upstreams: paths.upstreams, keyStore: keyStore.kind, models: registry.ids() }, 'gateway ready')
  app.log.info(policies.summary, 'access policies')
}

/**
 * A worker drains when its primary says so, or when the primary is gone. The primary sends a message,
 * not a signal: a worker that got the terminal's SIGINT with it must not get a second signal (which
 * means "exit now").
 */
function followPrimary (): void {
  let closing = false
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependOnceListener(signal, () => { closing = true })
  const drain = (): void => {
    if (!closing) process.kill(process.pid, 'SIGTERM')
  }
  process.on('message', (message: unknown) => {
    if (isType<Shutdown>(message, 'modelgate:shutdown')) drain()
  })
  process.on('disconnect', drain)
}

try {
  const config = loadConfig(ConfigSchema, process.env)
  const paths = dataPaths(config, process.env)
  if (cluster.isPrimary && config.GATEWAY_WORKERS > 1) await startPrimary(config, paths)
  else await startGateway(config, paths, cluster.isWorker ? connectToPrimary() : undefined)
} catch (err) {
  await reportFatal(err instanceof Error ? err.message : String(err))
  exitOnStartError(err)
}
