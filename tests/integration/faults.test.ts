// Parts of the platform failing under load, with real processes: a service killed, one of two
// replicas killed, a service that hangs, and SIGTERM to the gateway and to a service.
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { createKey } from '../helpers/keys-cli.ts'
import { type Outcome, startLoad } from '../helpers/load.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { photo } from '../helpers/reference.ts'

const HEALTH = { HEALTH_INTERVAL_MS: '200', HEALTH_TIMEOUT_MS: '500' }

async function gatewayFor (models: Record<string, ProcessHandle[]>, env: Record<string, string> = {}): Promise<{ gateway: GatewayHandle, headers: Record<string, string> }> {
  const gateway = await startGateway({
    upstreams: { models: Object.fromEntries(Object.entries(models).map(([id, replicas]) => [id, { stable: { version: 'test', replicas: replicas.map((r) => r.url) } }])) },
    env: { ...HEALTH, LOG_LEVEL: 'warn', ...env }
  })
  // A limit far above what the load sends: these tests are about faults, not limits.
  const key = await createKey(gateway.env, ['--rate', '100000/min'])
  return { gateway, headers: { authorization: `Bearer ${key.secret}` } }
}

/** A photo at the model's 224 px: one replica serves 50 a second with room to spare on a busy 2-core machine (not so a 720p JPEG). */
async function smallPhoto (): Promise<Buffer> {
  return await sharp(photo('person.jpg')).resize(224).jpeg().toBuffer()
}

const statuses = (outcomes: Outcome[]): Record<string, number> =>
  outcomes.reduce<Record<string, number>>((acc, o) => { const k = `${o.status}${o.code === undefined ? '' : ` ${o.code}`}`; acc[k] = (acc[k] ?? 0) + 1; return acc }, {})

describe('faults under load', () => {
  it('a killed service: its model answers 503 quickly, the others all succeed, and it comes back without a gateway restart', async () => {
    const [resnet, mobilenet, int8] = await Promise.all([startService('resnet'), startService('mobilenet'), startService('resnet-int8')])
    const { gateway, headers } = await gatewayFor({ resnet: [resnet], mobilenet: [mobilenet], 'resnet-int8': [int8] }, { UPSTREAM_TIMEOUT_MS: '5000' })
    const targets = { resnet: `${gateway.url}/model/resnet/predict`, mobilenet: `${gateway.url}/model/mobilenet/predict`, 'resnet-int8': `${gateway.url}/model/resnet-int8/predict` }
    const load = startLoad({ targets, headers, concurrency: 2, maxSeconds: 60 })
    await load.waitFor(20)
    const killedAt = Date.now()
    await mobilenet.kill()
    await load.waitFor(60)
    const outcomes = await load.stop()

    const others = outcomes.filter((o) => o.target !== 'mobilenet')
    expect(statuses(others)).toEqual({ 200: others.length })
    const afterKill = outcomes.filter((o) => o.target === 'mobilenet' && o.startedAt > killedAt)
    expect(afterKill.length).toBeGreaterThan(0)
    for (const o of afterKill) {
      // In flight on the dead process: 502; after that the model is unavailable at once.
      expect(['502 UPSTREAM_FAILED', '503 MODEL_UNAVAILABLE']).toContain(`${o.status} ${o.code}`)
      expect(o.endedAt - o.startedAt).toBeLessThan(5000)
    }
    expect(afterKill.at(-1)).toMatchObject({ status: 503, code: 'MODEL_UNAVAILABLE' })

    await mobilenet.restart()
    const back = startLoad({ targets: { mobilenet: targets.mobilenet }, headers, concurrency: 1, maxSeconds: 30 })
    while (back.outcomes.at(-1)?.status !== 200 && back.outcomes.length < 500) await back.waitFor(1)
    await back.stop()
    expect(back.outcomes.at(-1)?.status).toBe(200)
  })

  it('one of two replicas SIGKILLed under 50 req/s: only requests already inside it fail, the rest go to the other replica', async () => {
    const [a, b] = await Promise.all([startService('mobilenet'), startService('mobilenet')])
    // No health check after the first (60 s): the requests alone find the dead replica, and retry.
    const { gateway, headers } = await gatewayFor({ mobilenet: [a, b] }, { HEALTH_INTERVAL_MS: '60000', LOG_LEVEL: 'info' })
    const load = startLoad({ targets: { mobilenet: `${gateway.url}/model/mobilenet/predict` }, headers, ratePerSecond: 50, maxSeconds: 20, maxRequests: 400, body: await smallPhoto() })
    await load.waitFor(100)
    const killSentAt = Date.now()
    await a.kill()
    const killedAt = Date.now()
    await load.waitFor(150)
    const outcomes = await load.stop()
    const failures = outcomes.filter((o) => o.status !== 200)
    // A failure is a request that was inside the dead process: started before it died, still unanswered when killed.
    const insideAtKill = outcomes.filter((o) => o.startedAt <= killedAt && o.endedAt >= killSentAt)
    for (const f of failures) {
      expect(f).toMatchObject({ status: 502, code: 'UPSTREAM_FAILED' })
      expect(f.startedAt).toBeLessThanOrEqual(killedAt)
      expect(f.endedAt).toBeGreaterThanOrEqual(killSentAt)
    }
    expect(failures.length).toBeLessThanOrEqual(insideAtKill.length)
    const later = outcomes.filter((o) => o.startedAt > killedAt)
    expect(later.length).toBeGreaterThan(100)
    expect(statuses(later)).toEqual({ 200: later.length })
    // The ones sent to the dead replica after it died went to the other one (none, if a failure marked it down first).
    const lines = gateway.logLines().filter((l) => l.msg === 'request completed' && l.route === '/model/:id/predict')
    for (const line of lines.filter((l) => l.retriedFrom !== null)) expect(line).toMatchObject({ retriedFrom: a.url, retryReason: 'ECONNREFUSED', upstream: b.url, statusCode: 200 })
  })

  it('a hung service: the gateway answers 504 and takes the hung replica out of rotation', async () => {
    const [a, b] = await Promise.all([startService('resnet'), startService('resnet')])
    const { gateway, headers } = await gatewayFor({ resnet: [a, b] }, { UPSTREAM_TIMEOUT_MS: '1500' })
    // SIGSTOP: the kernel still accepts connections, but nothing ever answers.
    a.signal('SIGSTOP')
    try {
      const load = startLoad({ targets: { resnet: `${gateway.url}/model/resnet/predict` }, headers, concurrency: 3, maxSeconds: 60 })
      await load.waitFor(60)
      const outcomes = await load.stop()
      const timeouts = outcomes.filter((o) => o.status !== 200)
      for (const t of timeouts) {
        expect(t).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' })
        expect(t.endedAt - t.startedAt).toBeLessThan(4000)
      }
      // Once the health check has seen it hang, every request goes to the healthy replica.
      const lastTimeout = Math.max(0, ...timeouts.map((t) => t.endedAt))
      const later = outcomes.filter((o) => o.startedAt > lastTimeout)
      expect(later.length).toBeGreaterThan(30)
      expect(statuses(later)).toEqual({ 200: later.length })
      const models = await (await fetch(`${gateway.url}/models/resnet`)).json() as { status: string }
      expect(models.status).toBe('ready')
    } finally {
      a.signal('SIGCONT')
    }
  })

  it('SIGTERM to the gateway under load: in-flight requests complete, then connections are refused, exit 0', async () => {
    const service = await startService('resnet-int8')
    const { gateway, headers } = await gatewayFor({ 'resnet-int8': [service] })
    const load = startLoad({ targets: { int8: `${gateway.url}/model/resnet-int8/predict` }, headers, concurrency: 6, maxSeconds: 60 })
    await load.waitFor(30)
    const code = await gateway.stop('SIGTERM')
    const stoppedAt = Date.now()
    await load.waitFor(6)
    const outcomes = await load.stop()
    expect(code).toBe(0)
    // Every answer is a 200 or a clean refusal: 503 SHUTTING_DOWN on a kept-alive connection, or a
    // connection refused or closed before any byte of a response.
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 0 && o.code !== 'SHUTTING_DOWN')).toEqual([])
    const refused = outcomes.filter((o) => o.status === 0)
    for (const r of refused) expect(r.error).toMatch(/ECONNREFUSED|ECONNRESET|other side closed|SocketError/)
    expect(outcomes.filter((o) => o.status === 200 && o.startedAt > stoppedAt)).toEqual([])
  })

  it('SIGTERM to a service under load: in-flight requests complete, then connections are refused, exit 0', async () => {
    const service = await startService('mobilenet')
    const load = startLoad({ targets: { mobilenet: `${service.url}/predict` }, headers: {}, concurrency: 6, maxSeconds: 60 })
    await load.waitFor(30)
    const code = await service.stop('SIGTERM')
    await load.waitFor(6)
    const outcomes = await load.stop()
    expect(code).toBe(0)
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 0 && o.code !== 'SHUTTING_DOWN')).toEqual([])
    for (const r of outcomes.filter((o) => o.status === 0)) expect(r.error).toMatch(/ECONNREFUSED|ECONNRESET|other side closed|SocketError/)
  })
})
