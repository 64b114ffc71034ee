import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// A small image host for fetch-image tests, on a loopback address and port 0: a real photo,
// redirects, stalls, endless and oversized bodies, and responses that are not images.

export const cat = await readFile(new URL('../../../../shared/images/cat_720p.jpg', import.meta.url))

export interface TestServer {
  server: Server
  port: number
  origin: string
  /** Request targets in arrival order. */
  paths: string[]
  /** TCP connections accepted: 0 proves a refusal happened before connecting. */
  connections: number
  close: () => Promise<void>
}

type Handler = (res: ServerResponse, url: URL) => void

const redirect = (res: ServerResponse, location: string): void => {
  res.writeHead(302, { location, connection: 'close' }).end()
}

const routes: Record<string, Handler> = {
  '/cat.jpg': (res) => res.writeHead(200, { 'content-type': 'image/jpeg; charset=binary' }).end(cat),
  // Connection: close makes the fetcher open, and so resolve, a new connection next time.
  '/close/cat.jpg': (res) => res.writeHead(200, { 'content-type': 'image/jpeg', connection: 'close' }).end(cat),
  '/close/redirect': (res) => redirect(res, '/close/cat.jpg'),
  '/to': (res, url) => redirect(res, url.searchParams.get('u') ?? '/'),
  '/slow-headers': () => {}, // never answers: the fetcher must give up on its own
  '/slow-body': (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).write(cat.subarray(0, 1000)),
  '/huge': streamForever,
  '/huge-declared': (res) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 1e9 }).write(cat),
  '/page.html': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'),
  '/logo.svg': (res) => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg/>'),
  '/no-type': (res) => res.writeHead(200).end(cat)
}

function route (req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://placeholder')
  const hops = /^\/redirect\/(\d+)$/.exec(url.pathname)?.[1]
  if (hops !== undefined) redirect(res, hops === '0' ? '/cat.jpg' : `/redirect/${Number(hops) - 1}`)
  else if (routes[url.pathname] !== undefined) routes[url.pathname]?.(res, url)
  else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
}

// Chunked, no content-length: only counting the bytes can stop it.
function streamForever (res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'image/jpeg' })
  const more = (): void => { while (!res.destroyed && res.write(cat)); }
  res.on('drain', more)
  more()
}

export async function startServer (host: string): Promise<TestServer> {
  const server = createServer((req, res) => { state.paths.push(req.url ?? ''); route(req, res) })
  const state: TestServer = { server, port: 0, origin: '', paths: [], connections: 0, close: async () => {} }
  server.on('connection', () => { state.connections++ })
  server.listen(0, host)
  await once(server, 'listening')
  state.port = (server.address() as AddressInfo).port
  state.origin = `http://${host.includes(':') ? `[${host}]` : host}:${state.port}`
  state.close = async () => { server.closeAllConnections(); server.close(); await once(server, 'close') }
  return state
}
