// One gateway process per data folder when rate limits live in memory: a second one would count
// apart and let every client through twice. A lock file with a heartbeat (its mtime) says who runs.
import { hostname } from 'node:os'
import { mkdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface InstanceLock {
  readonly file: string
  release: () => Promise<void>
}

export class InstanceLockError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'InstanceLockError'
  }
}

export interface InstanceLockOptions {
  /** How often the holder touches the file. */
  heartbeatMs?: number
  /** A file not touched for this long belongs to a process that is gone. */
  staleMs?: number
}

interface Holder {
  pid: number
  host: string
  startedAt: string
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readHolder (file: string): Promise<{ holder: Holder | undefined, touchedMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)])
    let holder: Holder | undefined
    try { holder = JSON.parse(text) as Holder } catch { holder = undefined }
    return { holder, touchedMs: info.mtimeMs }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** True when the lock's holder still runs: touched lately and, on this host, its process exists. */
function isLive (found: { holder: Holder | undefined, touchedMs: number }, staleMs: number): boolean {
  if (Date.now() - found.touchedMs > staleMs) return false
  const { holder } = found
  // Half-written by a process starting right now: count it as running.
  if (holder === undefined) return true
  if (holder.host !== hostname()) return true
  return holder.pid !== process.pid && isAlive(holder.pid)
}

/** Takes `<DATA_DIR>/gateway.lock`, or throws naming the process that holds it. */
export async function acquireInstanceLock (file: string, opts: InstanceLockOptions = {}): Promise<InstanceLock> {
  const heartbeatMs = opts.heartbeatMs ?? 5000
  const staleMs = opts.staleMs ?? heartbeatMs * 3
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }
  // With a PostgreSQL key store nothing else may have made the data folder yet.
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 })
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const found = await readHolder(file)
    if (found !== undefined && isLive(found, staleMs)) {
      const who = found.holder === undefined ? 'another process' : `pid ${found.holder.pid} on ${found.holder.host}, since ${found.holder.startedAt}`
      throw new InstanceLockError(`Another gateway process serves from this data folder (${who}; ${file}). ` +
        'Without REDIS_URL each process counts rate limits on its own, so clients would get several times their limit. ' +
        'Set REDIS_URL to run several gateways, or stop the other one.')
    }
    // Left by a process that is gone: take it over.
    if (found !== undefined) await unlink(file).catch(() => {})
    if (attempt === 2) throw new InstanceLockError(`Could not take the lock file ${file}.`)
  }
  const beat = setInterval(() => {
    const t = new Date()
    utimes(file, t, t).catch(() => {})
  }, heartbeatMs)
  beat.unref()
  return {
    file,
    async release () {
      clearInterval(beat)
      const found = await readHolder(file).catch(() => undefined)
      if (found?.holder?.pid === me.pid && found.holder.startedAt === me.startedAt) await unlink(file).catch(() => {})
    }
  }
}
