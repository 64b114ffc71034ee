// What `classify` sends for each kind of input: bytes and files as the raw body (the service reads
// the format from the bytes), an http(s) URL as JSON for the service to fetch, and, in Node, a path
// read from disk.
import { ClientCodes, clientError } from './errors.ts'

/** An image: its bytes, a Blob or File, an http(s) URL, or (in Node) a file path. */
export type ImageInput = Uint8Array | Blob | string

export interface RequestBody {
  body: Uint8Array | Blob | string
  contentType: string
}

const URL_PATTERN = /^https?:\/\//i

export async function requestBody (input: ImageInput): Promise<RequestBody> {
  if (input instanceof Uint8Array) return { body: input, contentType: 'application/octet-stream' }
  if (input instanceof Blob) return { body: input, contentType: input.type.startsWith('image/') ? input.type : 'application/octet-stream' }
  if (typeof input !== 'string') throw clientError(ClientCodes.INPUT_INVALID, 'Input not supported', 'Pass bytes (Uint8Array, Buffer), a Blob or File, an http(s) URL or, in Node, a file path.')
  if (URL_PATTERN.test(input)) return { body: JSON.stringify({ url: input }), contentType: 'application/json' }
  return { body: await readFile(input), contentType: 'application/octet-stream' }
}

async function readFile (path: string): Promise<Uint8Array> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string'
  if (!isNode) throw clientError(ClientCodes.INPUT_INVALID, 'Input not supported', `"${path}" is not an http(s) URL; in a browser, pass a Blob or File.`)
  // A variable specifier: browser bundlers leave it alone, and Node alone reaches this line.
  const fs = 'node:fs/promises'
  const { readFile } = await import(/* @vite-ignore */ fs) as typeof import('node:fs/promises')
  try {
    return await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw clientError(ClientCodes.INPUT_INVALID, 'File cannot be read', `${path}: ${code}`, err)
  }
}
