// What stops a start whose limits would not hold: several processes counting apart, a missing Redis.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '@modelgate/server-kit'
import { describe, expect, it, onTestFinished } from 'vitest'
import { PolicyConfigError, setupAccessPolicies } from '../src/access-policies.ts'
import { ConfigSchema } from '../src/config.ts'
import { InstanceLockError, acquireInstanceLock } from '../src/limits/instance-lock.ts'

function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-lock-'))
  onTestFinished(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

/** A real other process, alive until the test ends. */
async function otherProcess (): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  await once(child, 'spawn')
  onTestFinished(async () => {
    child.kill('SIGKILL')
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
  })
  return child.pid ?? 0
}

function writeLock (file: string, holder: { pid: number, host?: string }, ageMs = 0): void {
  writeFileSync(file, JSON.stringify({ pid: holder.pid, host: holder.host ?? hostname(), startedAt: new Date().toISOString() }))
  const t = new Date(Date.now() - ageMs)
  utimesSync(file, t, t)
}

describe('the instance lock (one gateway per data folder without Redis)', () => {
  it('is refused while another live process holds it, naming it and REDIS_URL', async () => {
    const file = join(tempDir(), 'gateway.lock')
    const pid = await otherProcess()
    writeLock(file, { pid })
    const err = await acquireInstanceLock(file).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InstanceLockError)
    expect((err as Error).message).toMatch(new RegExp(`pid ${pid}`))
    expect((err as Error).message).toMatch(/REDIS_URL/)
  })

  it('is refused while a process on another host touches it', async () => {
    const file = join(tempDir(), 'gateway.lock')
    writeLock(file, { pid: 1, host: 'another-host' })
    await expect(acquireInstanceLock(file)).rejects.toThrow(/on another-host/)
  })

  it('is taken over from a process that is gone, or that stopped touching it', async () => {
    const dir = tempDir()
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await once(gone, 'exit')
    writeLock(join(dir, 'a.lock'), { pid: gone.pid ?? 0 })
    writeLock(join(dir, 'b.lock'), { pid: await otherProcess(), host: 'another-host' }, 60_000)
    for (const name of ['a.lock', 'b.lock']) {
      const lock = await acquireInstanceLock(join(dir, name))
      expect(JSON.parse(readFileSync(join(dir, name), 'utf8'))).toMatchObject({ pid: process.pid })
      await lock.release()
      expect(existsSync(join(dir, name))).toBe(false)
    }
  })

  it('makes a data folder that does not exist yet (a PostgreSQL key store makes none)', async () => {
    const file = join(tempDir(), 'not', 'yet', 'gateway.lock')
    const lock = await acquireInstanceLock(file)
    expect(existsSync(file)).toBe(true)
    await lock.release()
  })

  it('is released only by its holder', async () => {
    const file = join(tempDir(), 'gateway.lock')
    const lock = await acquireInstanceLock(file)
    const pid = await otherProcess()
    writeLock(file, { pid })
    await lock.release()
    expect(existsSync(file)).toBe(true)
  })
})

describe('the start checks of sessions, tokens and limits', () => {
  const config = (env: Record<string, string>): ReturnType<typeof loadConfig<typeof ConfigSchema>> => loadConfig(ConfigSchema, env)

  it.each([
    ['GATEWAY_REPLICAS over 1 without REDIS_URL', { GATEWAY_REPLICAS: '3' }, /GATEWAY_REPLICAS=3 needs REDIS_URL/],
    ['part of the identity-provider settings', { AUTH_JWKS_URL: 'https://idp.example/jwks.json', AUTH_ISSUER: 'https://idp.example' }, /set all three/],
    ['the sessions\' own issuer as AUTH_ISSUER', { AUTH_JWKS_URL: 'https://idp.example/jwks.json', AUTH_ISSUER: 'urn:modelgate:gateway', AUTH_AUDIENCE: 'a' }, /may not be/]
  ])('refuse %s', async (_name, env, message) => {
    const err = await setupAccessPolicies(config(env), tempDir()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PolicyConfigError)
    expect((err as Error).message).toMatch(message)
  })

  it('refuse a REDIS_URL where no Redis answers, and leave no lock behind', async () => {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    server.close()
    const dir = tempDir()
    await expect(setupAccessPolicies(config({ REDIS_URL: `redis://127.0.0.1:${port}` }), dir)).rejects.toThrow(/REDIS_URL .* does not answer/)
    expect(existsSync(join(dir, 'gateway.lock'))).toBe(false)
  })

  it('take the lock and make the session key in the data folder when all is well, and give both back on close', async () => {
    const dir = tempDir()
    const policies = await setupAccessPolicies(config({ CORS_ORIGIN: 'http://ui.test' }), dir)
    expect(existsSync(join(dir, 'gateway.lock'))).toBe(true)
    expect(policies.summary).toMatchObject({ rateLimitStore: 'memory', sessionKey: { created: true, alg: 'HS256' }, corsOrigins: ['http://ui.test'] })
    expect(policies.options.rateLimits).toMatchObject({ defaultPerMin: 600, sessionPerMin: 60, anonymousPerMin: 300, modelPerMin: 0, redisFailure: 'open' })
    await policies.close()
    expect(existsSync(join(dir, 'gateway.lock'))).toBe(false)
    expect(existsSync(join(dir, 'session-signing-key.json'))).toBe(true)
  })
})
