// Runs the real `pnpm keys` command (gateway/src/cli/keys.ts) as a process, against a gateway's store.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './spawn.ts'

export interface KeysResult {
  code: number
  stdout: string
  stderr: string
}

export async function runKeys (args: string[], env: Record<string, string>, stdin?: string): Promise<KeysResult> {
  return await new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway/src/cli/keys.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env }
    }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
    child.stdin?.end(stdin ?? '')
  })
}

/** Creates a key with `pnpm keys create` and returns its id and secret (the last line). */
export async function createKey (env: Record<string, string>, args: string[] = []): Promise<{ id: string, secret: string }> {
  const res = await runKeys(['create', '--name', 'test', ...args], env)
  if (res.code !== 0) throw new Error(`pnpm keys create failed (${res.code}): ${res.stderr}`)
  const lines = res.stdout.trim().split('\n')
  const secret = lines.at(-1) ?? ''
  const id = /\b(key_[0-9a-f]{16})\b/.exec(res.stdout)?.[1] ?? ''
  return { id, secret }
}
