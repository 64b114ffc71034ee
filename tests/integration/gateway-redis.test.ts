// Rate limits shared through a real redis-server by real gateway processes in front of a real model
// service: together they hold a key's limit; a Redis outage follows RATE_LIMIT_REDIS_FAILURE and is
// logged; limits come back with Redis. Without Redis a second gateway on one data folder is refused.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerCleanup } from '../helpers/cleanup.ts'
import { createKey } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { type RedisServer, startRedis } from '../helpers/redis.ts'
import { postPhoto } from '../helpers/reference.ts'

let redis: RedisServer
let service: ProcessHandle
let a: GatewayHandle
let b: GatewayHandle
let closed: GatewayHandle
let upstreams: { models: Record<string, unknown> }

/** A data folder for gateways started on purpose together; deleted after the file's tests. */
function dataFolder (name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mg-gw-${name}-`))
  registerCleanup(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

beforeAll(async () => {
  [redis, service] = await Promise.all([startRedis(), startService('mobilenet')])
  upstreams = { models: { mobilenet: { stable: { version: '1.0.0', replicas: [service.url] } } } }
  // One data folder: the gateways share the key database and the generated session key.
  const dataDir = dataFolder('redis')
  const env = { REDIS_URL: redis.url, SESSION_RATE_LIMIT: '3' }
  ;[a, b, closed] = await Promise.all([
    startGateway({ upstreams, dataDir, env }),
    startGateway({ upstreams, dataDir, env }),
    startGateway({ upstreams, dataDir, env: { ...env, RATE_LIMIT_REDIS_FAILURE: 'closed' } })
  ])
})

async function classify (gateway: GatewayHandle, secret: string): Promise<Awaited<ReturnType<typeof postPhoto>>> {
  return await postPhoto(`${gateway.url}/model/mobilenet/predict`, 'eagle.jpg', { authorization: `Bearer ${secret}` })
}

const outageLine = (line: Record<string, unknown>): boolean => line.rateLimitRedis === 'down'
const backLine = (line: Record<string, unknown>): boolean => line.rateLimitRedis === 'up'

describe('rate limits shared through Redis', () => {
  it('hold a key\'s limit across two gateways together', async () => {
    const key = await createKey(a.env, ['--rate', '6/min'])
    const answers = []
    for (let i = 0; i < 12; i++) answers.push(await classify(i % 2 === 0 ? a : b, key.secret))
    expect(answers.filter((r) => r.status === 200)).toHaveLength(6)
    expect(answers.slice(0, 6).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200])
    for (const refused of answers.slice(6)) {
      expect(refused.status).toBe(429)
      expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 })
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(refused.headers.get('x-ratelimit-limit')).toBe('6')
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    }
    for (const gateway of [a, b]) {
      const lines = await gateway.waitForLines((l) => l.statusCode === 429 && l.rateLimited === true, 3)
      expect(lines[0]).toMatchObject({ errCode: 'RATE_LIMITED', principal: { type: 'key', id: key.id } })
    }
  })

  it('share sessions: a token minted at one gateway works at the other, and minting is counted once for both', async () => {
    const mint = async (gateway: GatewayHandle): Promise<Response> => await fetch(`${gateway.url}/auth/session`, { method: 'POST' })
    const first = await mint(a)
    expect(first.status).toBe(200)
    const { token } = await first.json() as { token: string }
    expect((await classify(b, token)).status).toBe(200)
    expect([(await mint(b)).status, (await mint(a)).status, (await mint(b)).status]).toEqual([200, 200, 429])
  })

  it('follow RATE_LIMIT_REDIS_FAILURE while Redis is gone, say so once in the log, and hold again when it is back', async () => {
    const key = await createKey(a.env, ['--rate', '2/min'])
    expect([(await classify(a, key.secret)).status, (await classify(b, key.secret)).status, (await classify(a, key.secret)).status]).toEqual([200, 200, 429])
    const from = { a: a.logLines().length, b: b.logLines().length, closed: closed.logLines().length }

    await redis.kill()
    // open (the default): served without limits, though the key is over its limit.
    for (let i = 0; i < 3; i++) {
      expect((await classify(a, key.secret)).status).toBe(200)
      expect((await classify(b, key.secret)).status).toBe(200)
    }
    // closed: refused with 503 until Redis is back.
    const refused = await classify(closed, key.secret)
    expect(refused.status).toBe(503)
    expect(refused.body).toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE', status: 503 })
    expect(refused.headers.get('retry-after')).toBe('1')
    for (const [gateway, start, mode] of [[a, from.a, 'open'], [b, from.b, 'open'], [closed, from.closed, 'closed']] as const) {
      const lines = await gateway.waitForLines(outageLine, 1, start)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatchObject({ level: 40, failureMode: mode })
    }

    await redis.start()
    for (const [gateway, start] of [[a, from.a], [b, from.b], [closed, from.closed]] as const) {
      expect(await gateway.waitForLines(backLine, 1, start)).toHaveLength(1)
      // Once per outage, however many requests and reconnection attempts it saw.
      expect(gateway.logLines().slice(start).filter(outageLine)).toHaveLength(1)
    }
    // Redis came back empty: the key's window starts again, and is held again across gateways.
    const again = [await classify(b, key.secret), await classify(closed, key.secret), await classify(a, key.secret)]
    expect(again.map((r) => r.status)).toEqual([200, 200, 429])
  })
})

describe('without Redis', () => {
  it('a second gateway on the same data folder is refused at start, and so is GATEWAY_REPLICAS over 1', async () => {
    const dataDir = dataFolder('alone')
    const first = await startGateway({ upstreams, dataDir })
    const second = await startGateway({ upstreams, dataDir }).catch((err: unknown) => err as Error)
    expect(second).toBeInstanceOf(Error)
    expect((second as Error).message).toMatch(/exited \(1\)/)
    expect((second as Error).message).toMatch(/Another gateway process serves from this data folder \(pid \d+/)
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200)

    const replicas = await startGateway({ upstreams, env: { GATEWAY_REPLICAS: '2' } }).catch((err: unknown) => err as Error)
    expect((replicas as Error).message).toMatch(/GATEWAY_REPLICAS=2 needs REDIS_URL/)
  })

  it('a gateway that stopped leaves the folder free for the next', async () => {
    const dataDir = dataFolder('next')
    const first = await startGateway({ upstreams, dataDir })
    expect(await first.stop()).toBe(0)
    const crashed = await startGateway({ upstreams, dataDir })
    await crashed.kill()
    // Killed without cleaning up: its lock names a process that is gone, so it is taken over.
    const next = await startGateway({ upstreams, dataDir })
    expect((await fetch(`${next.url}/readyz`)).status).toBe(200)
  })
})
