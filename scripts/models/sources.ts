// Where a file's bytes come from: the catalog's URLs, or a mirror (a folder or a base URL) holding the
// same file names, for machines without internet.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export type Source = { kind: 'http', url: string } | { kind: 'file', path: string }

export function describeSource (source: Source): string {
  return source.kind === 'http' ? source.url : source.path
}

/** `--from`: an http(s) base URL, a file: URL, or a folder (relative to `cwd`). `path`: '/'-separated. */
export function mirrorSource (from: string, path: string, cwd: string): Source {
  if (/^https?:\/\//i.test(from)) {
    const base = from.endsWith('/') ? from : `${from}/`
    return { kind: 'http', url: new URL(path.split('/').map(encodeURIComponent).join('/'), base).href }
  }
  const dir = from.startsWith('file:') ? fileURLToPath(from) : isAbsolute(from) ? from : resolve(cwd, from)
  return { kind: 'file', path: join(dir, ...path.split('/')) }
}

/** The sources of one file, first choice first. */
export function sourcesFor (file: string, urls: readonly string[], from: string | undefined, cwd: string): Source[] {
  if (from !== undefined) return [mirrorSource(from, file, cwd)]
  return urls.map((url) => ({ kind: 'http', url }))
}

export class SourceError extends Error {
  /** The source does not have the file (HTTP 404, no such file in the folder). */
  constructor (message: string, readonly notFound = false) { super(message) }
}

/**
 * Opens a source for reading. `signal` aborts the transfer (the caller's cancel, or a stall: no byte for
 * `idleMs`, which covers a server that accepts the connection and then says nothing).
 */
export async function openSource (source: Source, signal: AbortSignal, idleMs: number): Promise<AsyncIterable<Uint8Array>> {
  if (source.kind === 'file') {
    const info = await stat(source.path).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new SourceError('not found in the mirror folder', true) : new SourceError(`cannot read (${err.code ?? err.message})`)
    })
    if (!info.isFile()) throw new SourceError('not a regular file')
    return createReadStream(source.path, { signal })
  }
  const controller = new AbortController()
  const onAbort = (): void => controller.abort(signal.reason)
  if (signal.aborted) onAbort()
  signal.addEventListener('abort', onAbort, { once: true })
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => controller.abort(new SourceError(`no data for ${idleMs / 1000} s`)), idleMs)
  }
  const disarm = (): void => {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
  arm()
  let response: Response
  try {
    response = await fetch(source.url, { signal: controller.signal, redirect: 'follow' })
  } catch (err) {
    disarm()
    throw new SourceError(describeFetchError(err, controller.signal))
  }
  if (!response.ok || response.body === null) {
    disarm()
    await response.body?.cancel().catch(() => {})
    throw new SourceError(`HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`, response.status === 404)
  }
  const body = response.body
  async function * chunks (): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of body) {
        arm()
        yield chunk
      }
    } catch (err) {
      throw new SourceError(describeFetchError(err, controller.signal))
    } finally {
      disarm()
    }
  }
  return chunks()
}

function describeFetchError (err: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message
  const cause = (err as { cause?: { code?: string, message?: string } }).cause
  const detail = cause?.code ?? cause?.message
  return `${(err as Error).message}${detail === undefined ? '' : ` (${detail})`}`
}
