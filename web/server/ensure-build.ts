// `pnpm --dir web start` serves web/dist; it builds first when there is no build yet or a source
// file changed since, so a fresh checkout (or an edit) never serves a stale page.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'precompress.ts']

async function newestMtime (path: string): Promise<number> {
  let info
  try { info = await stat(path) } catch { return 0 }
  if (!info.isDirectory()) return info.mtimeMs
  const entries = await readdir(path, { recursive: true })
  const times = await Promise.all(entries.map(async (e) => (await stat(join(path, e))).mtimeMs))
  return Math.max(info.mtimeMs, ...times)
}

/** True when dist/index.html is missing or older than any source (a deployed image has no sources). */
export async function isBuildStale (webDir: string, distDir: string): Promise<boolean> {
  const built = await newestMtime(join(distDir, 'index.html'))
  if (built === 0) return true
  const sources = await Promise.all(SOURCES.map(async (s) => await newestMtime(join(webDir, s))))
  return Math.max(...sources) > built
}

export async function buildUi (webDir: string): Promise<void> {
  // vite is a build-time dependency: a deployed image with a build never loads it.
  const { build } = await import('vite')
  await build({ root: webDir, configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' })
}
