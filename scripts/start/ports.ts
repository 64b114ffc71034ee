import { createServer } from 'node:net'

/** True when nothing listens on host:port (checked by binding it briefly). */
export async function isPortFree (port: number, host: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}
