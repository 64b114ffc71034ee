// A throwaway PostgreSQL server for tests: initdb in a temporary folder, listening on 127.0.0.1 on a
// free port (its unix socket in the same folder), stopped and deleted by its registered cleanup.
// initdb and pg_ctl refuse to run as root, so under root they run as the `postgres` user.
import { execFile } from 'node:child_process'
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { registerCleanup } from './cleanup.ts'
import { freePort } from './spawn.ts'

const run = promisify(execFile)

export interface PostgresServer {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string
  port: number
  /** Creates a fresh database and returns its connection string. */
  createDatabase: (name: string) => Promise<string>
  stop: () => Promise<void>
}

/** The newest installed server's bin folder (Debian: /usr/lib/postgresql/<version>/bin). */
export function postgresBinDir (): string {
  const root = '/usr/lib/postgresql'
  let versions: string[] = []
  try {
    versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
  } catch {}
  if (versions[0] === undefined) throw new Error('PostgreSQL is not installed: run `bash scripts/setup-test-deps.sh` (Debian package postgresql).')
  return join(root, versions[0], 'bin')
}

async function asPostgresUser (command: string, args: string[]): Promise<void> {
  const isRoot = process.getuid?.() === 0
  await run(isRoot ? 'runuser' : command, isRoot ? ['-u', 'postgres', '--', command, ...args] : args, { timeout: 60_000 })
}

async function ids (user: string): Promise<{ uid: number, gid: number }> {
  const uid = Number((await run('id', ['-u', user])).stdout.trim())
  const gid = Number((await run('id', ['-g', user])).stdout.trim())
  return { uid, gid }
}

export async function startPostgres (): Promise<PostgresServer> {
  const bin = postgresBinDir()
  const dir = mkdtempSync(join(tmpdir(), 'mg-pg-'))
  if (process.getuid?.() === 0) {
    const { uid, gid } = await ids('postgres')
    chownSync(dir, uid, gid)
  }
  const data = join(dir, 'data')
  const port = await freePort()
  await asPostgresUser(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'])
  // fsync off: a test database needs no durability, and it makes every commit much cheaper.
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
  await asPostgresUser(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start'])

  let stopped = false
  async function stop (): Promise<void> {
    if (stopped) return
    stopped = true
    await asPostgresUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  registerCleanup(stop)

  const base = `postgresql://postgres@127.0.0.1:${port}`
  return {
    url: `${base}/postgres`,
    port,
    async createDatabase (name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`)
      await run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`], { timeout: 30_000 })
      return `${base}/${name}`
    },
    stop
  }
}
