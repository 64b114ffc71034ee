// Writes .br and .gz beside each built asset so @fastify/static can send them precompressed
// (its preCompressed option), at no CPU cost per request.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Plugin } from 'vite'

const brotli = promisify(brotliCompress)
const gz = promisify(gzip)
const COMPRESSIBLE = /\.(js|css|svg|json|txt)$/

export function precompress (): Plugin {
  return {
    name: 'modelgate-precompress',
    apply: 'build',
    // writeBundle, not closeBundle: it runs only once the bundle is written, so a failed build shows
    // its own error rather than this plugin's on a missing output folder.
    async writeBundle (options, bundle) {
      const outDir = options.dir ?? 'dist'
      await Promise.all(Object.keys(bundle).filter((f) => COMPRESSIBLE.test(f)).map(async (f) => {
        const path = join(outDir, f)
        const bytes = await readFile(path)
        if (bytes.length < 1024) return
        await writeFile(`${path}.br`, await brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
        await writeFile(`${path}.gz`, await gz(bytes, { level: 9 }))
      }))
    }
  }
}
