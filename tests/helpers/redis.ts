// A throwaway Redis for tests: redis-server (Debian package) on 127.0.0.1 on a free port, nothing
// saved, its folder temporary. It can be killed and started again on the same port (an outage).
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killOnExit, registerCleanup } from './cleanup.ts'
import { type Spawned, freePort, spawnProcess } from './spawn.ts'

const REDIS_SERVER = '/usr/bin/redis-server'

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string
  port: number
  /** SIGKILL: gone at once, like a crashed server; its data is lost (nothing is saved). */
  kill: () => Promise<void>
  /** Starts it again on the same port, empty, and waits until it answers. */
  start: () => Promise<void>
  output: () => string
}

/** Resolves when a PING on `port` is answered with PONG. */
async function answersPing (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok) }
    socket.setTimeout(1000, () => { done(false) })
    socket.on('error', () => { done(false) })
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (d: Buffer) => {
      reply += d.toString()
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}

export async function startRedis (): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) throw new Error('redis-server is not installed (Debian package redis-server).')
  const dir = mkdtempSync(join(tmpdir(), 'mg-redis-'))
  const port = await freePort()
  let proc: Spawned | undefined
  let forget = (): void => {}

  async function start (): Promise<void> {
    const current = spawnProcess(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir])
    proc = current
    const pid = current.child.pid
    forget = killOnExit(() => { try { if (pid !== undefined) process.kill(-pid, 'SIGKILL') } catch {} })
    let exited = false
    void current.exited.then(() => { exited = true })
    const deadline = Date.now() + 10_000
    while (!(await answersPing(port))) {
      if (exited) throw new Error(`redis-server exited before answering:\n${current.output()}`)
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} does not answer:\n${current.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  async function kill (): Promise<void> {
    await proc?.stop('SIGKILL')
    forget()
  }

  await start()
  registerCleanup(async () => {
    await kill()
    rmSync(dir, { recursive: true, force: true })
  })
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, output: () => proc?.output() ?? '' }
}
