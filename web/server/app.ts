import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import { type App, buildServer, health } from '@modelgate/server-kit'
import type { FastifyBaseLogger } from 'fastify'
import { renderIndexHtml } from './index-html.ts'
import { securityHeaders } from './security-headers.ts'

export interface WebServerOptions {
  /** The production build (vite's outDir): index.html and assets/. */
  distDir: string
  gatewayUrl: string
  logLevel?: string
  loggerInstance?: FastifyBaseLogger
}

/** The page's client-side routes: each answers the same index.html. */
export const PAGE_ROUTES = ['/', '/ops']

const IMMUTABLE = 'public, max-age=31536000, immutable'

/** Serves the built UI: hashed assets cached for a year, index.html revalidated every time. */
export async function buildWebServer (opts: WebServerOptions): Promise<App> {
  const gatewayOrigin = new URL(opts.gatewayUrl).origin
  const indexHtml = renderIndexHtml(await readFile(join(opts.distDir, 'index.html'), 'utf8'), opts.gatewayUrl)
  const headers = securityHeaders(gatewayOrigin)

  const app = buildServer({ name: 'web', logLevel: opts.logLevel, loggerInstance: opts.loggerInstance })
  app.addHook('onSend', async (request, reply) => { reply.headers(headers) })
  await app.register(health, { isReady: () => true })

  await app.register(fastifyStatic, {
    root: opts.distDir,
    prefix: '/',
    index: false,
    wildcard: true,
    preCompressed: true,
    cacheControl: false,
    // The raw index.html lacks the gateway address: only the routes below send it.
    allowedPath: (pathname) => pathname !== '/index.html',
    dotfiles: 'ignore',
    setHeaders: (reply, path) => {
      // Vite names every file under assets/ by its content hash: it never changes under that name.
      reply.header('cache-control', /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : 'no-cache')
    }
  })

  for (const url of PAGE_ROUTES) {
    app.get(url, async (request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml))
  }
  return app
}
