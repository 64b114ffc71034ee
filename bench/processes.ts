// The processes the benchmarks measure, each on a free loopback port, waited for, and killed when
// the benchmark exits however it exits.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const children = new Set<ChildProcess>()
process.once('exit', () => { for (const child of children) child.kill('SIGKILL') })

export interface Running { url: string, port: number, pid: number, stop: () => Promise<void> }

export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

/** CPU time (user + system) a process has used so far, in ms; Linux's /proc counts in 1/100 s (USER_HZ). */
export function cpuMs (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The direct children of a process (nginx's worker under its master). */
export function childPids (pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
}

/** Polls `check` every 50 ms for up to 60 s, failing early when the process exits. */
export async function waitUntil (what: string, child: ChildProcess, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`)
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what} not ready after 60 s`)
}

export function track (child: ChildProcess): () => Promise<void> {
  children.add(child)
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
    children.delete(child)
  }
}

export async function isOk (url: string, init: RequestInit = {}): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) })
  await res.arrayBuffer()
  return res.ok
}

/** Runs a bench/ TypeScript file as its own process on a free port. */
export async function startScript (file: string, env: Record<string, string>, readyPath: string, readyInit: RequestInit = {}): Promise<Running> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', file)], {
    cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit']
  })
  const stop = track(child)
  const url = `http://127.0.0.1:${port}`
  await waitUntil(file, child, async () => await isOk(`${url}${readyPath}`, readyInit))
  return { url, port, pid: child.pid ?? 0, stop }
}

/** The real gateway process with its log going to a file, and an API key with a limit far above any load here. */
export async function startGateway (dataDir: string, upstreams: unknown, extraEnv: Record<string, string> = {}): Promise<Running & { key: string, logFile: string }> {
  const port = await freePort()
  const env = { ...process.env, DATA_DIR: dataDir, GATEWAY_UPSTREAMS: join(dataDir, 'upstreams.json'), HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...extraEnv }
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(env.GATEWAY_UPSTREAMS, JSON.stringify(upstreams))
  const created = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway/src/cli/keys.ts'), 'create', '--name', 'bench', '--rate', '1000000000/min'], { cwd: ROOT, env })
  const key = created.stdout.trim().split('\n').at(-1) ?? ''
  // Not beside the upstreams file: the gateway watches that folder, and every write of its log there woke it.
  mkdirSync(join(dataDir, 'log'), { recursive: true })
  const logFile = join(dataDir, 'log', 'gateway.log')
  const child = spawn(process.execPath, [join(ROOT, 'gateway/bin/gateway.js')], { cwd: ROOT, env, stdio: ['ignore', openSync(logFile, 'w'), 'inherit'] })
  const stop = track(child)
  const url = `http://127.0.0.1:${port}`
  await waitUntil('gateway', child, async () => await isOk(`${url}/readyz`))
  return { url, port, pid: child.pid ?? 0, stop, key, logFile }
}

/** A model service process (as its image runs it) on a free port, waited for on /readyz. */
export async function startService (id: string, bundle: string, env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort()
  const child = spawn(process.execPath, ['../model-server/bin/model-server.js', 'service.json'], {
    cwd: join(ROOT, 'services', id),
    env: { ...process.env, MODEL_BUNDLE: bundle, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const stop = track(child)
  const url = `http://127.0.0.1:${port}`
  await waitUntil(`${id} service`, child, async () => await isOk(`${url}/readyz`))
  return { url, port, pid: child.pid ?? 0, stop }
}
