// Sends one hostile request on a connection of its own and reports what came back, whatever the
// server does: an answer, a closed socket, or nothing within the time limit (a hang).
import { type IncomingHttpHeaders, request } from 'node:http'
import { connect } from 'node:net'

export interface RawRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
  /** Headers or body written one piece every `everyMs` ms, never finished: the server must give up. */
  trickle?: { part: 'headers' | 'body', everyMs: number }
}

export interface Answer {
  /** 0 when the connection ended without an answer; -1 when nothing came within the time limit. */
  status: number
  headers: IncomingHttpHeaders
  body: string
  /** Why there is no answer (a socket error code, 'closed' or 'timeout'). */
  error?: string
}

const NO_ANSWER = { headers: {}, body: '' }

/** One request to 127.0.0.1:port; resolves within `timeoutMs` in every case. */
export async function send (port: number, req: RawRequest, timeoutMs: number): Promise<Answer> {
  return req.trickle?.part === 'headers'
    ? await trickleHeaders(port, req, req.trickle.everyMs, timeoutMs)
    : await viaHttp(port, req, timeoutMs)
}

async function viaHttp (port: number, req: RawRequest, timeoutMs: number): Promise<Answer> {
  return await new Promise((resolve) => {
    let done = false
    let ticker: NodeJS.Timeout | undefined
    const finish = (answer: Answer): void => {
      if (done) return
      done = true
      clearInterval(ticker)
      clearTimeout(timer)
      outgoing.destroy()
      resolve(answer)
    }
    const outgoing = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    // Writing may fail once the server has answered and closed; the answer is what counts.
    outgoing.on('error', (err: NodeJS.ErrnoException) => {
      setTimeout(() => finish({ ...NO_ANSWER, status: 0, error: err.code ?? err.message }), 200)
    })
    const timer = setTimeout(() => finish({ ...NO_ANSWER, status: -1, error: 'timeout' }), timeoutMs)
    if (req.trickle?.part === 'body') {
      outgoing.flushHeaders()
      ticker = setInterval(() => { if (!outgoing.destroyed) outgoing.write(Buffer.from([0xff])) }, req.trickle.everyMs)
    } else {
      outgoing.end(req.body)
    }
  })
}

// node:http writes all headers at once, so a slow head needs a plain socket and a plain parser.
async function trickleHeaders (port: number, req: RawRequest, everyMs: number, timeoutMs: number): Promise<Answer> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    let sent = 0
    const head = [`${req.method} ${req.path} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`)]
    const ticker = setInterval(() => {
      if (!socket.destroyed) socket.write(`${head[sent] ?? `x-slow-${sent}: ${'a'.repeat(8)}`}\r\n`)
      sent++
    }, everyMs)
    const timer = setTimeout(() => { socket.destroy(); finish(-1) }, timeoutMs)
    function finish (forced?: number): void {
      clearInterval(ticker)
      clearTimeout(timer)
      if (forced !== undefined) {
        resolve({ ...NO_ANSWER, status: forced, error: 'timeout' })
        return
      }
      resolve(parseRaw(Buffer.concat(received).toString('utf8')))
    }
    socket.on('data', (c: Buffer) => received.push(c))
    socket.on('error', () => {})
    socket.on('close', () => finish())
  })
}

function parseRaw (text: string): Answer {
  const match = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text)
  if (match === null) return { ...NO_ANSWER, status: 0, error: 'closed' }
  const headers: IncomingHttpHeaders = {}
  for (const line of (match[2] ?? '').split('\r\n')) {
    const at = line.indexOf(':')
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim()
  }
  return { status: Number(match[1]), headers, body: match[3] ?? '' }
}
