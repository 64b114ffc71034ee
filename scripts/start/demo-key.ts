// The demo key: created on the first start, printed once, kept for local use in <DATA_DIR>/demo-key
// (mode 0600). Later starts check it still works and point to the file instead of printing it.
import { execFile } from 'node:child_process'
import { readFile, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'

export interface DemoKey {
  path: string
  /** The secret when it was created by this start (print it once); undefined when it already existed. */
  created: string | undefined
}

async function keysCli (root: string, args: string[], env: Record<string, string | undefined>, stdin = ''): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', join(root, 'gateway/src/cli/keys.ts'), ...args], { cwd: root, env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
    child.stdin?.end(stdin)
  })
}

export async function ensureDemoKey (root: string, dataDir: string, env: Record<string, string | undefined>): Promise<DemoKey> {
  const path = join(dataDir, 'demo-key')
  const existing = await readFile(path, 'utf8').catch(() => undefined)
  if (existing !== undefined && (await keysCli(root, ['check'], env, existing)).code === 0) {
    await chmod(path, 0o600)
    return { path, created: undefined }
  }
  const res = await keysCli(root, ['create', '--name', 'demo'], env)
  const secret = res.stdout.trim().split('\n').at(-1) ?? ''
  if (res.code !== 0 || !secret.startsWith('mg_')) throw new Error(`Could not create the demo key:\n${res.stderr}`)
  await writeFile(path, `${secret}\n`, { mode: 0o600 })
  await chmod(path, 0o600)
  return { path, created: secret }
}
