// Starts the platform's real processes for cross-process tests: model services and gateways on
// 127.0.0.1, each waited for on /readyz and stopped by its own registered cleanup.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { registerCleanup, killOnExit } from './cleanup.ts'
import { ROOT, SHARED_MODELS, type Spawned, freePort, spawnProcess, waitForOk } from './spawn.ts'

export interface ProcessHandle {
  url: string
  port: number
  /** Everything the current process wrote so far. */
  output: () => string
  /** Sends a signal to the process (and its children) and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
  /** SIGKILL: the process dies without closing anything, like a crashed replica. */
  kill: () => Promise<number | null>
  /** Starts the process again on the same port and waits until it is ready. */
  restart: () => Promise<void>
  /** Resolves with the exit code of the current process. */
  exited: () => Promise<number | null>
  /** Sends a signal without waiting (e.g. SIGHUP to reload). */
  signal: (signal: NodeJS.Signals) => void
}

interface Launch {
  command: string
  args: string[]
  cwd: string
  env: Record<string, string>
  readyPath: string
}

async function launch (spec: Launch, port: number, timeoutMs: number): Promise<ProcessHandle> {
  let proc: Spawned
  let forget = (): void => {}
  const url = `http://127.0.0.1:${port}`
  async function start (): Promise<void> {
    proc = spawnProcess(spec.command, spec.args, { cwd: spec.cwd, env: { ...spec.env, HOST: '127.0.0.1', PORT: String(port) } })
    const pid = proc.child.pid
    const unregister = killOnExit(() => { try { if (pid !== undefined) process.kill(-pid, 'SIGKILL') } catch {} })
    forget = () => { unregister() }
    void proc.exited.then(() => forget())
    await waitForOk(`${url}${spec.readyPath}`, proc, timeoutMs)
  }
  await start()
  const handle: ProcessHandle = {
    url,
    port,
    output: () => proc.output(),
    stop: async (signal = 'SIGTERM') => await proc.stop(signal),
    kill: async () => await proc.stop('SIGKILL'),
    restart: start,
    exited: async () => await proc.exited,
    signal: (signal) => { proc.child.kill(signal) }
  }
  registerCleanup(async () => { await proc.stop('SIGKILL') })
  return handle
}

export interface StartServiceOptions {
  /** A shared bundle's folder name (`resnet-v1`) or a path; default: the shared bundle named like the service. */
  bundle?: string
  /** Default: a free port. */
  port?: number
  env?: Record<string, string>
  /**
   * 'node' (default): the bare process, as a container runs it, so signals and exit codes are the
   * service's own; 'pnpm': as the README says, `MODEL_BUNDLE=… PORT=… pnpm --dir services/<id> start`.
   */
  via?: 'node' | 'pnpm'
}

/** Starts `services/<id>` (the model server with its service.json) as a real process and waits for /readyz. */
export async function startService (id: string, opts: StartServiceOptions = {}): Promise<ProcessHandle> {
  const bundle = opts.bundle === undefined ? join(SHARED_MODELS, id) : isAbsolute(opts.bundle) || opts.bundle.includes('/') ? opts.bundle : join(SHARED_MODELS, opts.bundle)
  const serviceDir = join(ROOT, 'services', id)
  const hasServiceFile = existsSync(join(serviceDir, 'service.json'))
  const command = opts.via === 'pnpm'
    ? { command: 'pnpm', args: ['--silent', '--dir', `services/${id}`, 'start'], cwd: ROOT }
    : { command: process.execPath, args: [join(ROOT, 'services/model-server/bin/model-server.js'), ...(hasServiceFile ? ['service.json'] : [])], cwd: hasServiceFile ? serviceDir : ROOT }
  return await launch({
    ...command,
    env: { MODEL_BUNDLE: bundle, ...opts.env },
    readyPath: '/readyz'
  }, opts.port ?? await freePort(), 120_000)
}

export type UpstreamsSpec = { models: Record<string, unknown> } | Record<string, Array<string | { url: string }>>

/** `{ resnet: [service] }` → the upstreams file format, version from the model's bundle if known. */
export function upstreamsFile (spec: UpstreamsSpec): { models: Record<string, unknown> } {
  if ('models' in spec && !Array.isArray(spec.models)) return spec as { models: Record<string, unknown> }
  const entries = Object.entries(spec as Record<string, Array<string | { url: string }>>)
  return {
    models: Object.fromEntries(entries.map(([id, replicas]) => [id, {
      stable: { version: '0.0.0-test', replicas: replicas.map((r) => typeof r === 'string' ? r : r.url) }
    }]))
  }
}

export interface StartGatewayOptions {
  upstreams: UpstreamsSpec
  /** Where keys.db and upstreams.json go; default: a fresh temporary folder. */
  dataDir?: string
  /** PostgreSQL key store instead of SQLite. */
  databaseUrl?: string
  port?: number
  /** More settings (e.g. HEALTH_INTERVAL_MS); LOG_LEVEL defaults to info so tests can read access lines. */
  env?: Record<string, string>
}

export interface GatewayHandle extends ProcessHandle {
  dataDir: string
  /** The upstreams file it reads; rewrite it and send SIGHUP to reload. */
  upstreamsPath: string
  /** The environment the gateway runs with: pass it to `pnpm keys` so both use the same store. */
  env: Record<string, string>
  /** The gateway's JSON log lines so far. */
  logLines: () => Array<Record<string, unknown>>
  /** Polls the log until `count` lines (after the first `from`) match; a line is written after its response. */
  waitForLines: (match: (line: Record<string, unknown>) => boolean, count: number, from?: number) => Promise<Array<Record<string, unknown>>>
}

/** Starts the real gateway process on 127.0.0.1 and waits for /readyz. */
export async function startGateway (opts: StartGatewayOptions): Promise<GatewayHandle> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'mg-gateway-'))
  mkdirSync(dataDir, { recursive: true })
  const upstreamsPath = join(dataDir, `upstreams-${process.pid}-${Date.now()}.json`)
  writeFileSync(upstreamsPath, JSON.stringify(upstreamsFile(opts.upstreams), null, 2))
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    GATEWAY_UPSTREAMS: upstreamsPath,
    LOG_LEVEL: 'info',
    ...(opts.databaseUrl === undefined ? {} : { DATABASE_URL: opts.databaseUrl }),
    ...opts.env
  }
  const handle = await launch({
    command: process.execPath,
    args: [join(ROOT, 'gateway/bin/gateway.js')],
    cwd: ROOT,
    env,
    readyPath: '/readyz'
  }, opts.port ?? await freePort(), 60_000)
  if (opts.dataDir === undefined) registerCleanup(() => { rmSync(dataDir, { recursive: true, force: true }) })
  const logLines = (): Array<Record<string, unknown>> =>
    handle.output().split('\n').filter((l) => l.startsWith('{') && l.endsWith('}')).map((l) => JSON.parse(l) as Record<string, unknown>)
  async function waitForLines (match: (line: Record<string, unknown>) => boolean, count: number, from = 0): Promise<Array<Record<string, unknown>>> {
    const deadline = Date.now() + 5000
    for (;;) {
      const found = logLines().slice(from).filter(match)
      if (found.length >= count || Date.now() > deadline) return found
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return { ...handle, dataDir, upstreamsPath, env, logLines, waitForLines }
}
