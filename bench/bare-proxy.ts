// The baseline for `pnpm bench:gateway`: @fastify/http-proxy alone, no auth, limits or logs, in one
// process like the gateway, with the gateway's own copies of fastify and the plugin. WORKERS=n: n
// processes on one port (node:cluster), as GATEWAY_WORKERS runs the gateway.
import cluster from 'node:cluster'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

interface ProxyApp {
  register: (plugin: unknown, opts: Record<string, unknown>) => void
  listen: (opts: { host: string, port: number }) => Promise<string>
  close: () => Promise<void>
}

const require = createRequire(new URL('../gateway/package.json', import.meta.url))
const load = async (name: string): Promise<unknown> => ((await import(pathToFileURL(require.resolve(name)).href)) as { default: unknown }).default
const Fastify = await load('fastify') as (opts: Record<string, unknown>) => ProxyApp
const httpProxy = await load('@fastify/http-proxy')

const WORKERS = Number(process.env.WORKERS ?? 1)

async function serve (): Promise<void> {
  const app = Fastify({ logger: false, keepAliveTimeout: 72_000 })
  app.register(httpProxy, {
    upstream: process.env.UPSTREAM,
    prefix: '/model/:id/predict',
    rewritePrefix: '/predict',
    routes: [''],
    httpMethods: ['POST'],
    // The gateway's pool settings, so only the features differ.
    undici: { connections: 128, pipelining: 1 }
  })
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
  process.on('SIGTERM', () => { app.close().finally(() => process.exit(0)) })
}

if (WORKERS > 1 && cluster.isPrimary) {
  for (let i = 0; i < WORKERS; i++) cluster.fork()
  process.on('SIGTERM', () => {
    cluster.on('exit', () => { if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0) })
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM')
  })
} else {
  await serve()
}
