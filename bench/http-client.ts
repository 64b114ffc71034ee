import { Agent, request } from 'node:http'

/** A keep-alive HTTP client for load loops: resolves with the status code, the body drained. */
export function createPoster (url: string, connections: number): { post: (body: Buffer, headers?: Record<string, string>) => Promise<number>, close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const target = new URL(url)
  return {
    post: async (body, headers = { 'content-type': 'image/jpeg' }) => await new Promise<number>((resolve) => {
      const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: { ...headers, 'content-length': body.length } }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      req.on('error', () => resolve(0))
      req.end(body)
    }),
    close: () => agent.destroy()
  }
}
