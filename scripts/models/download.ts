// Fetches one file from its sources in order and accepts it only when size and sha256 match: a mirror
// or a Git LFS pointer that answers with other bytes is refused, and the next source is tried. A file
// whose hash is not known beforehand (a bundle mirror's model.json and labels) is bounded by maxBytes.
import { createHash } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { tempPathFor } from './atomic-write.ts'
import { ModelsError } from './errors.ts'
import type { Progress } from './progress.ts'
import { describeSource, openSource, SourceError, type Source } from './sources.ts'

export interface FileSpec {
  file: string
  /** Checked once the file is complete, when known. */
  sha256?: string
  /** The exact size, when known. */
  bytes?: number
  /** Without an exact size: more than this is refused. */
  maxBytes?: number
}

export interface FetchOptions {
  progress: Progress
  signal: AbortSignal
  idleMs: number
  /** Shown in front of the file name, e.g. the model id. */
  label: string
}

const LFS_POINTER = 'version https://git-lfs.github.com/spec/'

class VerifyError extends Error {}

/** Tries each source until one gives exactly the expected bytes; `sink` receives them as they arrive. */
async function fetchVerified (spec: FileSpec, sources: readonly Source[], opts: FetchOptions,
  makeSink: () => Promise<Sink>): Promise<{ source: Source, sink: Sink }> {
  const failures: string[] = []
  let everyMissing = true
  for (const [index, source] of sources.entries()) {
    const sink = await makeSink()
    try {
      await transfer(spec, source, sink, opts)
      return { source, sink }
    } catch (err) {
      await sink.discard()
      if (opts.signal.aborted) throw new ModelsError(`Cancelled while fetching ${spec.file}.`, 130)
      if (!(err instanceof SourceError) && !(err instanceof VerifyError)) throw err
      if (!(err instanceof SourceError && err.notFound)) everyMissing = false
      failures.push(`${describeSource(source)}: ${err.message}`)
      if (index < sources.length - 1) {
        opts.progress.note(`${opts.label}: ${spec.file} refused from ${describeSource(source)}: ${err.message}; trying the next address`)
      }
    }
  }
  throw new FetchFailed(spec.file, failures, everyMissing)
}

/** No source gave the file; the message lists each source and why. */
export class FetchFailed extends ModelsError {
  /** `notFound`: no source has the file at all (as opposed to serving wrong bytes or failing). */
  constructor (readonly file: string, readonly failures: string[], readonly notFound: boolean) {
    super(`Could not fetch ${file}:\n${failures.map((line) => `  - ${line}`).join('\n')}`)
  }
}

interface Sink {
  write (chunk: Uint8Array): Promise<void>
  /** Called once the bytes are verified. */
  finish (): Promise<void>
  discard (): Promise<void>
}

async function transfer (spec: FileSpec, source: Source, sink: Sink, opts: FetchOptions): Promise<void> {
  const chunks = await openSource(source, opts.signal, opts.idleMs)
  const hash = createHash('sha256')
  let received = 0
  let head = Buffer.alloc(0)
  const limit = spec.bytes ?? spec.maxBytes ?? Infinity
  opts.progress.start(`${opts.label}: ${spec.file}`, spec.bytes ?? 0)
  try {
    for await (const chunk of chunks) {
      if (head.length < LFS_POINTER.length) head = Buffer.concat([head, chunk]).subarray(0, 1024)
      received += chunk.length
      // Stop as soon as there is too much: a wrong URL can serve an HTML page or a much larger file.
      if (received > limit) break
      hash.update(chunk)
      await sink.write(chunk)
      opts.progress.advance(chunk.length)
    }
  } finally {
    opts.progress.end()
  }
  if (head.subarray(0, LFS_POINTER.length).toString('latin1') === LFS_POINTER) {
    const expected = [spec.bytes === undefined ? '' : `${spec.bytes} bytes`, spec.sha256 === undefined ? '' : `sha256 ${spec.sha256}`].filter(Boolean).join(', ')
    throw new VerifyError(`got a Git LFS pointer (${received} bytes of text) instead of the file: this address does not serve the file's content${expected === '' ? '' : ` (expected ${expected})`}`)
  }
  if (spec.bytes !== undefined && received !== spec.bytes) {
    throw new VerifyError(`size mismatch: expected ${spec.bytes} bytes, got ${received > spec.bytes ? 'more than that' : `${received} bytes`}`)
  }
  if (received > limit) throw new VerifyError(`larger than the ${limit} bytes such a file may have`)
  const got = hash.digest('hex')
  if (spec.sha256 !== undefined && got !== spec.sha256) throw new VerifyError(`sha256 mismatch: expected ${spec.sha256}, got ${got}`)
}

/** Fetches into `dest` through a temporary file in the same folder, renamed only once verified. */
export async function fetchToFile (spec: FileSpec, sources: readonly Source[], dest: string, opts: FetchOptions): Promise<Source> {
  let temp = ''
  const makeSink = async (): Promise<Sink> => {
    temp = tempPathFor(dest)
    const handle = await open(temp, 'wx')
    let closed = false
    const close = async (): Promise<void> => {
      if (!closed) await handle.close()
      closed = true
    }
    return {
      async write (chunk) { await handle.write(chunk) },
      async discard () {
        await close()
        await rm(temp, { force: true })
      },
      async finish () {
        // Flush before the rename, so a crash cannot leave a complete-looking file with missing data.
        await handle.datasync()
        await close()
      }
    }
  }
  const { source, sink } = await fetchVerified(spec, sources, opts, makeSink)
  try {
    await sink.finish()
    await rename(temp, dest)
  } catch (err) {
    await sink.discard()
    throw err
  }
  return source
}

/** Fetches a small file (labels) into memory. */
export async function fetchToBuffer (spec: FileSpec, sources: readonly Source[], opts: FetchOptions): Promise<{ data: Buffer, source: Source }> {
  let chunks: Uint8Array[] = []
  const makeSink = async (): Promise<Sink> => {
    chunks = []
    return {
      async write (chunk) { chunks.push(chunk) },
      async finish () {},
      async discard () { chunks = [] }
    }
  }
  const { source } = await fetchVerified(spec, sources, opts, makeSink)
  return { data: Buffer.concat(chunks), source }
}
