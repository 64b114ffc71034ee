// Rate limits in memory (one gateway): per key, per session (session.test.ts), per client address
// without a credential, and per model across callers.
import { describe, expect, it } from 'vitest'
import { sessionGateway } from './session-harness.ts'

const body = { url: 'http://127.0.0.1:1/cat.jpg' }

async function predict (app: Awaited<ReturnType<typeof sessionGateway>>['app'], secret: string, model = 'resnet'): Promise<Awaited<ReturnType<typeof app.inject>>> {
  return await app.inject({ method: 'POST', url: `/model/${model}/predict`, headers: { 'x-api-key': secret }, payload: body })
}

describe('rate limits per principal', () => {
  it('give a key its own limit, then 429 RATE_LIMITED with Retry-After and the x-ratelimit headers', async () => {
    const gw = await sessionGateway({ rateLimits: { defaultPerMin: 100 } })
    const limited = await gw.createKey({ rateLimitPerMin: 3 })
    const other = await gw.createKey()
    const remaining: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await predict(gw.app, limited.secret)
      expect(res.statusCode).toBe(200)
      expect(res.headers['x-ratelimit-limit']).toBe('3')
      remaining.push(String(res.headers['x-ratelimit-remaining']))
    }
    expect(remaining).toEqual(['2', '1', '0'])
    const refused = await predict(gw.app, limited.secret)
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429, scope: 'principal', limit: 3, detail: expect.stringMatching(/this key/) })
    const retryAfter = Number(refused.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(retryAfter) })
    // Refused before the service: it saw only the three that passed.
    expect(gw.fake.received).toHaveLength(3)
    const line = gw.lines.find((l) => l.msg === 'request completed' && l.statusCode === 429)
    expect(line).toMatchObject({ rateLimited: true, errCode: 'RATE_LIMITED', principal: { type: 'key', id: limited.id } })
    // Another key is counted apart, with the default limit.
    const fine = await predict(gw.app, other.secret)
    expect(fine.statusCode).toBe(200)
    expect(fine.headers['x-ratelimit-limit']).toBe('100')
  })

  it('give keys without a limit of their own RATE_LIMIT_PER_MIN', async () => {
    const gw = await sessionGateway({ rateLimits: { defaultPerMin: 2 } })
    const { secret } = await gw.createKey()
    expect((await predict(gw.app, secret)).statusCode).toBe(200)
    expect((await predict(gw.app, secret)).statusCode).toBe(200)
    expect((await predict(gw.app, secret)).json()).toMatchObject({ code: 'RATE_LIMITED', limit: 2 })
  })

  it('count requests without a credential per client address', async () => {
    const gw = await sessionGateway({ rateLimits: { anonymousPerMin: 2 } })
    const get = async (ip: string): Promise<number> => (await gw.app.inject({ method: 'GET', url: '/models', remoteAddress: ip })).statusCode
    expect([await get('10.1.1.1'), await get('10.1.1.1'), await get('10.1.1.1')]).toEqual([200, 200, 429])
    expect(await get('10.1.1.2')).toBe(200)
    // IPv6 clients are counted by /64: one host cannot dodge the limit by rotating its addresses.
    expect([await get('2001:db8::1'), await get('2001:db8::2'), await get('2001:db8::3')]).toEqual([200, 200, 429])
  })

  it('never limit the health probes', async () => {
    const gw = await sessionGateway({ rateLimits: { anonymousPerMin: 1 } })
    for (let i = 0; i < 5; i++) {
      expect((await gw.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
      expect((await gw.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    }
    expect((await gw.app.inject({ method: 'GET', url: '/models' })).statusCode).toBe(200)
    expect((await gw.app.inject({ method: 'GET', url: '/models' })).statusCode).toBe(429)
  })
})

describe('the per-model limit (MODEL_RATE_LIMIT_PER_MIN)', () => {
  it('counts one model\'s requests from all callers together; other models are not affected', async () => {
    const gw = await sessionGateway({ rateLimits: { modelPerMin: 3, defaultPerMin: 100 } })
    const [a, b] = [await gw.createKey(), await gw.createKey()]
    const statuses = [await predict(gw.app, a.secret), await predict(gw.app, b.secret), await predict(gw.app, a.secret)].map((r) => r.statusCode)
    expect(statuses).toEqual([200, 200, 200])
    const refused = await predict(gw.app, b.secret)
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', scope: 'model', limit: 3, detail: expect.stringMatching(/Model "resnet"/) })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.headers['x-ratelimit-limit']).toBe('3')
    expect((await predict(gw.app, b.secret, 'mobilenet')).statusCode).toBe(200)
    expect(gw.lines.find((l) => l.statusCode === 429)).toMatchObject({ rateLimited: true, errCode: 'RATE_LIMITED' })
  })

  it('does not count unknown model ids (they get 404)', async () => {
    const gw = await sessionGateway({ rateLimits: { modelPerMin: 1 } })
    const { secret } = await gw.createKey()
    for (let i = 0; i < 3; i++) expect((await predict(gw.app, secret, `no-such-${i}`)).statusCode).toBe(404)
    expect((await predict(gw.app, secret, 'resnet')).statusCode).toBe(200)
  })

  it('is off by default', async () => {
    const gw = await sessionGateway({ rateLimits: { defaultPerMin: 1000 } })
    const keys = await Promise.all([1, 2, 3, 4, 5].map(async () => await gw.createKey()))
    for (const key of keys) for (let i = 0; i < 4; i++) expect((await predict(gw.app, key.secret)).statusCode).toBe(200)
  })
})
