import { isProblemError } from '@modelgate/server-kit'
import type { FastifyRequest } from 'fastify'
import { BodyInvalid, ImageMissing, ImageTooLarge } from '../errors.ts'

/** Where the image of a request is: its bytes, or a URL still to fetch. */
export type ImageSource = { bytes: Buffer } | { url: string }

export interface PredictInput {
  source: ImageSource
  /** `topk` given in the body (JSON field or multipart field); the query string's wins. */
  topk?: number | undefined
}

interface JsonBody { url?: string, image?: string, topk?: number }

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/
const DATA_URL_PREFIX = /^data:[\w/+.-]*;base64,/

/** Base64 or base64url image data (a data: URL prefix allowed); `path` names the field in errors. */
export function decodeBase64 (text: string, path = 'body/image'): Buffer {
  const compact = text.replace(DATA_URL_PREFIX, '').replace(/\s+/g, '')
  if (!BASE64.test(compact)) {
    throw new BodyInvalid(`${path === 'body/image' ? '"image"' : path} must be base64 data.`, { extra: { errors: [{ path, message: 'must be base64' }] } })
  }
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64')
}

function fromJson (body: JsonBody): PredictInput {
  if (body.url !== undefined && body.image !== undefined) {
    throw new BodyInvalid('Give either "url" or "image", not both.', { extra: { errors: [{ path: 'body', message: 'must have only one of url, image' }] } })
  }
  if (body.url !== undefined) return { source: { url: body.url }, topk: body.topk }
  if (body.image === undefined) throw new ImageMissing('The JSON body has neither "image" (base64) nor "url".')
  const bytes = decodeBase64(body.image)
  if (bytes.length === 0) throw new ImageMissing('"image" is empty.')
  return { source: { bytes }, topk: body.topk }
}

async function fromMultipart (request: FastifyRequest, maxBytes: number): Promise<PredictInput> {
  try {
    return await readParts(request, maxBytes)
  } catch (err) {
    // @fastify/multipart's own errors carry a status (413 for limits); the form parser's do not: a form
    // without a boundary, cut short, or never containing its boundary is the client's fault, not a 500.
    if (isProblemError(err) || typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err
    const reason = err instanceof Error ? err.message : String(err)
    throw new BodyInvalid(`The multipart body cannot be read (${reason.slice(0, 100)}).`, {
      extra: { errors: [{ path: 'body', message: 'must be multipart/form-data with an "image" file' }] }
    })
  }
}

async function readParts (request: FastifyRequest, maxBytes: number): Promise<PredictInput> {
  let bytes: Buffer | undefined
  let topk: number | undefined
  for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 4, fieldSize: 1024 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image') {
        part.file.resume()
        continue
      }
      try {
        bytes = await part.toBuffer()
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new ImageTooLarge(`The image is over ${maxBytes} bytes.`)
        throw err
      }
    } else if (part.fieldname === 'topk') {
      topk = Number(part.value)
      if (!Number.isInteger(topk)) {
        throw new BodyInvalid('"topk" must be a whole number.', { extra: { errors: [{ path: 'body/topk', message: 'must be integer' }] } })
      }
    }
  }
  if (bytes === undefined || bytes.length === 0) throw new ImageMissing('The form has no file field named "image".')
  return { source: { bytes }, topk }
}

/** Finds the image in any accepted request form: JSON (url or base64), raw image/* bytes, or multipart. */
export async function readPredictInput (request: FastifyRequest, maxBytes: number): Promise<PredictInput> {
  if (request.isMultipart()) return await fromMultipart(request, maxBytes)
  const body = request.body
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw new ImageMissing('The request body is empty.')
    return { source: { bytes: body } }
  }
  if (body === undefined || body === null) throw new ImageMissing('The request has no body; send an image.')
  return fromJson(body as JsonBody)
}
