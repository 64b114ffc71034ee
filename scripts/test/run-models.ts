// Runs `scripts/models.ts` as the user's command would run, as a child process.
import { spawn } from 'node:child_process'
import { repoRoot } from './mirror.ts'

export interface Run { code: number | null, stdout: string, stderr: string }

export async function runModels (args: string[], modelsDir: string): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/models.ts', ...args], {
    cwd: repoRoot,
    // pnpm sets INIT_CWD to where the user ran the command; the paths given here are absolute anyway.
    env: { ...process.env, MODELS_DIR: modelsDir, INIT_CWD: repoRoot },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}
