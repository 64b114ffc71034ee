// Model bundles for `pnpm start`: which are missing from MODELS_DIR, pulling them, and what to do
// when that fails (no internet here, usually).
import { access, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { spawnChild } from './children.ts'

export async function missingBundles (modelsDir: string, ids: string[]): Promise<string[]> {
  const present = await Promise.all(ids.map(async (id) => await access(join(modelsDir, id, 'model.json')).then(() => true, () => false)))
  return ids.filter((_id, i) => present[i] !== true)
}

/** The version in a bundle's manifest, for the upstreams file. */
export async function bundleVersion (modelsDir: string, id: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(modelsDir, id, 'model.json'), 'utf8')) as { version?: unknown }
  return typeof manifest.version === 'string' && manifest.version !== '' ? manifest.version : '0.0.0'
}

/** Runs `pnpm models pull <ids>` (scripts/models.ts) into modelsDir; true when it succeeded. */
export async function pullBundles (root: string, modelsDir: string, ids: string[], env: Record<string, string | undefined>, write: (line: string) => void): Promise<boolean> {
  const child = spawnChild({
    name: 'models',
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'scripts/models.ts'), 'pull', ...ids],
    cwd: root,
    env: { ...env, MODELS_DIR: modelsDir }
  }, write)
  return await child.exited === 0
}

export function missingModelsAdvice (modelsDir: string, ids: string[], cwd: string): string {
  const shown = relative(cwd, modelsDir) || '.'
  const list = ids.join(' ')
  return [
    `Cannot start: no bundle for ${ids.join(', ')} in ${modelsDir}, and \`pnpm models pull\` could not get ${ids.length > 1 ? 'them' : 'it'}.`,
    'Do one of these, then run `pnpm start` again:',
    `  - on a machine with internet access: \`pnpm models pull ${list}\`, then copy the folders from its .models/ into ${shown}/`,
    `  - pull from a mirror folder or http(s) URL holding the same files: \`pnpm models pull ${list} --from <mirror>\``,
    '  - use a folder that already holds the bundles (<id>/model.json, model.onnx, labels.txt): `MODELS_DIR=<folder> pnpm start`'
  ].join('\n')
}
