// The platform's processes: each spawned in its own process group (so a terminal's Ctrl-C reaches
// only this script, which then stops them in order), its output prefixed with its name.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface Child {
  name: string
  process: ChildProcess
  /** The last lines it printed, for an error report. */
  tail: () => string[]
  exited: Promise<number | null>
  isRunning: () => boolean
}

export interface SpawnSpec {
  name: string
  command: string
  args: string[]
  cwd: string
  env: Record<string, string | undefined>
}

const TAIL_LINES = 30

export function spawnChild (spec: SpawnSpec, write: (line: string) => void): Child {
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const tail: string[] = []
  const width = 12
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line)
      if (tail.length > TAIL_LINES) tail.shift()
      write(`${`[${spec.name}]`.padEnd(width)} ${line}`)
    })
  }
  let running = true
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false
      resolve(code ?? (signal === null ? null : 128))
    })
    child.once('error', (err) => {
      running = false
      tail.push(err.message)
      resolve(127)
    })
  })
  return { name: spec.name, process: child, tail: () => [...tail], exited, isRunning: () => running }
}

function signalGroup (child: Child, signal: NodeJS.Signals): void {
  const pid = child.process.pid
  if (pid === undefined || !child.isRunning()) return
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL for whatever has not exited after graceMs. */
export async function stopChildren (children: Child[], graceMs: number): Promise<void> {
  for (const child of children) signalGroup(child, 'SIGTERM')
  const timer = setTimeout(() => { for (const child of children) signalGroup(child, 'SIGKILL') }, graceMs)
  await Promise.all(children.map(async (c) => await c.exited))
  clearTimeout(timer)
}

export function killChildrenNow (children: Child[]): void {
  for (const child of children) signalGroup(child, 'SIGKILL')
}

/** Polls url until it answers below 500 (200 when `exact`), the child exits, or timeoutMs passes. */
export async function waitUntilReady (url: string, child: Child, timeoutMs: number, exact = true): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (child.isRunning()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await res.body?.cancel()
      if (exact ? res.status === 200 : res.status < 500) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${child.name} was not ready at ${url} after ${Math.round(timeoutMs / 1000)} s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${child.name} exited (code ${await child.exited}) before it was ready`)
}
