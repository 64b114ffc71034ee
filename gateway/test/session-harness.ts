// A gateway with browser sessions on, for inject tests: a fake upstream, a signing key, and a way
// to read the access-log lines.
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import pino from 'pino'
import { type SessionTokens, createSessionTokens } from '../src/auth/session-tokens.ts'
import { type SessionSigningKey, parseSigningKey } from '../src/auth/signing-key.ts'
import type { GatewayOptions } from '../src/app.ts'
import { type FakeUpstream, fakeUpstreamForTest } from './fake-upstream.ts'
import { type Harness, buildHarness, upstreamsFor } from './gateway-harness.ts'

export interface SessionGateway extends Harness {
  fake: FakeUpstream
  sessions: SessionTokens
  key: SessionSigningKey
  lines: Array<Record<string, unknown>>
  /** POST /auth/session from `ip`, returning the minted session. */
  mint: (ip?: string) => Promise<{ token: string, expiresAt: string }>
  predict: (token: string, model?: string, ip?: string) => Promise<Awaited<ReturnType<Harness['app']['inject']>>>
}

export const randomSecret = (): string => randomBytes(32).toString('base64url')

export interface SessionGatewayOptions extends Omit<Partial<GatewayOptions>, 'config' | 'sessions'> {
  key?: SessionSigningKey
  ttlSeconds?: number
}

export async function sessionGateway (opts: SessionGatewayOptions = {}): Promise<SessionGateway> {
  const fake = await fakeUpstreamForTest()
  const key = opts.key ?? await parseSigningKey(randomSecret())
  const { key: _key, ttlSeconds, ...rest } = opts
  const sessions = createSessionTokens({ key, ttlSeconds: ttlSeconds ?? 900, ...(opts.now === undefined ? {} : { now: opts.now }) })
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb() } })
  const harness = await buildHarness(upstreamsFor({ resnet: [fake.url], mobilenet: [fake.url] }), {
    loggerInstance: pino({ level: 'info' }, stream),
    ...rest,
    sessions
  })
  return {
    ...harness,
    fake,
    sessions,
    key,
    lines,
    async mint (ip = '127.0.0.1') {
      const res = await harness.app.inject({ method: 'POST', url: '/auth/session', remoteAddress: ip })
      if (res.statusCode !== 200) throw new Error(`POST /auth/session answered ${res.statusCode}: ${res.body}`)
      return res.json<{ token: string, expiresAt: string }>()
    },
    async predict (token, model = 'resnet', ip = '127.0.0.1') {
      return await harness.app.inject({
        method: 'POST',
        url: `/model/${model}/predict`,
        remoteAddress: ip,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: { url: 'http://127.0.0.1:1/cat.jpg' }
      })
    }
  }
}
