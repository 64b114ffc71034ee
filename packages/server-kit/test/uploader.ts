// A client that uploads a chunked body of `total` bytes as fast as the server takes it, and reads the
// answer only once it has sent everything (or the server stopped taking it), as many HTTP clients do.
import { connect } from 'node:net'

export interface UploadResult {
  /** The status line and headers of the answer, if one could be read. */
  head: string
  /** The socket error, if any (ECONNRESET: the answer was lost). */
  error: string | undefined
}

export async function uploadThenRead (url: string, path: string, headers: Record<string, string>, total: number): Promise<UploadResult> {
  const { hostname, port } = new URL(url)
  return await new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    let received = ''
    let error: string | undefined
    socket.pause()
    socket.on('data', (d: Buffer) => { received += d.toString('latin1') })
    socket.on('error', (e: Error & { code?: string }) => {
      error ??= e.code
      socket.resume()
    })
    socket.on('close', () => resolve({ head: received.split('\r\n\r\n')[0] ?? '', error }))
    const head = Object.entries({ ...headers, 'transfer-encoding': 'chunked' }).map(([k, v]) => `${k}: ${v}\r\n`).join('')
    socket.write(`POST ${path} HTTP/1.1\r\nhost: test\r\n${head}\r\n`)
    const data = Buffer.alloc(256 * 1024, 7)
    const chunk = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])
    let sent = 0
    const pump = (): void => {
      while (sent < total && !socket.destroyed) {
        sent += data.length
        if (!socket.write(chunk)) {
          socket.once('drain', pump)
          return
        }
      }
      if (socket.destroyed) return
      socket.end('0\r\n\r\n')
      socket.resume()
    }
    pump()
  })
}
