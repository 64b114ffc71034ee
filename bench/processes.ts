import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

export interface BenchProcess { url: string, child: ChildProcess, stop: () => Promise<void> }

/** Starts a model service process for a benchmark and waits for /readyz. */
export async function startService (id: string, bundle: string, env: Record<string, string> = {}): Promise<BenchProcess> {
  const port = await freePort()
  const child = spawn('node', ['../model-server/bin/model-server.js', 'service.json'], {
    cwd: `${ROOT}services/${id}`,
    env: { ...process.env, MODEL_BUNDLE: bundle, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${id} service exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { url, child, stop }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error(`${id} service not ready`)
}
