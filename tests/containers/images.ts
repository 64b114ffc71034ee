// What the container suites (and bench:images) do with images: run `pnpm images build` as a user
// would, copy the checkout to change a file without touching this one, and read an image's layers.
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type Docker, run } from '../../scripts/images/docker.ts'
import { ROOT } from '../../scripts/images/build.ts'

export interface CommandRun { code: number | null, output: string, seconds: number }

/** `pnpm images build <args>` (scripts/images.ts) in `checkout`, with docker's plain progress captured. */
export async function imagesBuild (args: string[], opts: { checkout?: string, env?: Record<string, string> } = {}): Promise<CommandRun> {
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/images.ts', 'build', ...args], {
    cwd: opts.checkout ?? ROOT,
    env: { ...process.env, BUILDKIT_PROGRESS: 'plain', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  return { code, output, seconds: (performance.now() - started) / 1000 }
}

/**
 * A copy of this checkout (the files git tracks or would add) in a temporary folder, with `change`
 * applied to it, sharing this one's node_modules. Removed by the returned function.
 */
export async function copyCheckout (change: (dir: string) => void): Promise<{ dir: string, remove: () => void }> {
  const files = (await run('git', ['-C', ROOT, 'ls-files', '--cached', '--others', '--exclude-standard', '-z'])).stdout.split('\0').filter(Boolean)
  const dir = mkdtempSync(join(tmpdir(), 'mg-checkout-'))
  for (const file of files) {
    try {
      cpSync(join(ROOT, file), join(dir, file), { recursive: false })
    } catch (err) {
      // A file git still lists but the working tree has deleted.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  for (const modules of new Set(files.filter((f) => f.endsWith('package.json')).map((f) => join(dirname(f), 'node_modules')))) {
    try { symlinkSync(join(ROOT, modules), join(dir, modules)) } catch {}
  }
  change(dir)
  return { dir, remove: () => { rmSync(dir, { recursive: true, force: true }) } }
}

/** One line of `docker history`: the instruction that made a layer and the bytes it added. */
export interface HistoryLine { createdBy: string, bytes: number }

export async function history (docker: Docker, ref: string): Promise<HistoryLine[]> {
  const res = await run(docker.cli, ['history', '--no-trunc', '--human=false', '--format', '{{.Size}}\t{{.CreatedBy}}', ref], { env: docker.env })
  if (res.code !== 0) throw new Error(`docker history ${ref}: ${res.stderr}`)
  return res.stdout.trim().split('\n').reverse().map((line) => {
    const [bytes = '0', ...createdBy] = line.split('\t')
    return { bytes: Number(bytes), createdBy: createdBy.join('\t') }
  })
}

/** Removes images by reference, ignoring those that are not there. */
export async function removeImages (docker: Docker, refs: string[]): Promise<void> {
  await run(docker.cli, ['image', 'rm', '--force', ...refs], { env: docker.env })
}
