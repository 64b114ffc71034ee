// Turns a gateway case of the corpus into the bytes to send: path, headers, credential and body.
import type { HostileCase } from './corpus.ts'
import { readFixture, renderText } from './corpus.ts'
import type { TokenKit } from './forge-token.ts'
import type { RawRequest } from './send.ts'

export interface CaseContext {
  /** Placeholders the case text may use: `{gatewayPort}`, `{servicePort}`, `{key}`. */
  vars: Record<string, string>
  key: string
  tokens: TokenKit
}

const BOUNDARY = '----hostile-corpus-boundary'

function multipartBody (parts: NonNullable<HostileCase['multipart']>, vars: Record<string, string>): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`
    const type = part.type === undefined ? '' : `\r\nContent-Type: ${part.type}`
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`))
    chunks.push(part.file !== undefined ? readFixture(part.file) : Buffer.from(renderText(part.value ?? '', vars)))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`))
  return Buffer.concat(chunks)
}

function credential (c: HostileCase, ctx: CaseContext): string | undefined {
  const auth = c.auth ?? 'key'
  if (auth === 'none') return undefined
  if (auth === 'key') return `Bearer ${ctx.key}`
  return `Bearer ${ctx.tokens.forge(auth.jwt)}`
}

/** The request of a gateway case; `requestId` goes in x-request-id unless the case sets its own. */
export function gatewayRequest (c: HostileCase, ctx: CaseContext, requestId: string): RawRequest {
  const headers: Record<string, string> = { 'x-request-id': requestId }
  const authorization = credential(c, ctx)
  if (authorization !== undefined) headers.authorization = authorization
  let body: Buffer | undefined
  if (c.multipart !== undefined) {
    body = multipartBody(c.multipart, ctx.vars)
    headers['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`
  } else if (c.bodyFile !== undefined) {
    body = readFixture(c.bodyFile)
  } else if (c.body !== undefined) {
    body = Buffer.from(renderText(c.body, ctx.vars))
  }
  for (const [name, value] of Object.entries(c.headers ?? {})) headers[name.toLowerCase()] = renderText(value, ctx.vars)
  if (body !== undefined && headers['transfer-encoding'] === undefined && headers['content-length'] === undefined) {
    headers['content-length'] = String(body.length)
  }
  if (c.trickle?.part === 'body') headers['content-length'] ??= '1000000'
  return {
    method: c.method ?? 'POST',
    path: renderText(c.path ?? '/model/resnet/predict', ctx.vars),
    headers,
    ...(body === undefined ? {} : { body }),
    ...(c.trickle === undefined ? {} : { trickle: c.trickle })
  }
}
