// The gateway on several cores: GATEWAY_WORKERS=2 serving one port in front of a real model service.
// Every request here opens a connection of its own, so node:cluster deals them to both workers; the
// two must behave as one gateway.
import { Agent, request } from 'node:http'
import { renameSync, writeFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createKey, runKeys } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { photo, postPhotoInHalves } from '../helpers/reference.ts'
import { spawnProcess } from '../helpers/spawn.ts'

let service: ProcessHandle
let gateway: GatewayHandle
let admin: string
const image = photo('person.jpg')

interface Answer { status: number, body: string, reqId: string }

/** One request on a connection of its own (node:cluster gives each new connection to the next worker), or on the agent's. */
async function send (path: string, headers: Record<string, string>, body?: Buffer, agent: Agent | false = false): Promise<Answer & { reusedSocket: boolean }> {
  const url = new URL(path, gateway.url)
  return await new Promise((resolve, reject) => {
    const req = request(url, { method: body === undefined ? 'GET' : 'POST', agent, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'image/jpeg', 'content-length': String(body.length) }) } }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text, reqId: String(res.headers['x-request-id']), reusedSocket: req.reusedSocket }) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

const predict = async (key: string, model = 'mobilenet'): Promise<Answer> => await send(`/model/${model}/predict`, { authorization: `Bearer ${key}` }, image)
/** The workers that answered, from their access lines (written just after each answer). */
async function workersOf (answers: Answer[]): Promise<Set<unknown>> {
  const ids = new Set(answers.map((a) => a.reqId))
  const lines = await gateway.waitForLines((l) => l.msg === 'request completed' && ids.has(String(l.reqId)), ids.size)
  return new Set(lines.map((l) => l.worker))
}

const counts = (answers: Answer[]): Record<number, number> => answers.reduce<Record<number, number>>((acc, a) => { acc[a.status] = (acc[a.status] ?? 0) + 1; return acc }, {})

function table (extra: Record<string, unknown> = {}): { models: Record<string, unknown> } {
  return { models: { mobilenet: { stable: { version: '1.0.0', replicas: [service.url] } }, ...extra } }
}

beforeAll(async () => {
  service = await startService('mobilenet')
  gateway = await startGateway({ upstreams: table(), env: { GATEWAY_WORKERS: '2', USAGE_FLUSH_MS: '100', KEY_CACHE_MS: '300' } })
  await gateway.waitForLines((l) => l.msg === 'gateway workers listening', 1)
  admin = (await createKey(gateway.env, ['--admin'])).secret
})

describe('GATEWAY_WORKERS=2', () => {
  it('serves one port from both workers, and counts every request once in /metrics and /ops/summary', async () => {
    const { secret } = await createKey(gateway.env, ['--rate', '1000/min'])
    const answers: Answer[] = []
    for (let i = 0; i < 12; i++) answers.push(await predict(secret))
    expect(counts(answers)).toEqual({ 200: 12 })
    expect(await workersOf(answers)).toEqual(new Set([1, 2]))

    const metrics = await send('/metrics', { authorization: `Bearer ${admin}` })
    const served = [...metrics.body.matchAll(/^gateway_requests_total\{[^}]*model="mobilenet"[^}]*status="200"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
    expect(served).toBe(12)
    const summary = JSON.parse((await send('/ops/summary', { authorization: `Bearer ${admin}` })).body) as { models: Array<{ id: string, requests: number, latencyMs: { p50: number | null } }> }
    expect(summary.models.find((m) => m.id === 'mobilenet')).toMatchObject({ requests: 12, latencyMs: { p50: expect.any(Number) as number } })
    // Usage: each worker writes its own counts; none lost, none twice.
    await expect.poll(async () => JSON.parse((await runKeys(['usage', '--json'], gateway.env)).stdout) as unknown, { timeout: 5000 })
      .toEqual(expect.arrayContaining([expect.objectContaining({ modelId: 'mobilenet', requests: 12 })]))
  })

  it('holds a key\'s rate limit exactly across the workers, without Redis', async () => {
    const { secret } = await createKey(gateway.env, ['--rate', '7/min'])
    const answers: Answer[] = []
    for (let i = 0; i < 12; i++) answers.push(await predict(secret))
    expect(counts(answers)).toEqual({ 200: 7, 429: 5 })
    expect(await workersOf(answers.filter((a) => a.status === 429))).toEqual(new Set([1, 2]))
  })

  it('holds each key\'s limit exactly when the requests come all at once (a worker asks for several counts in one message)', async () => {
    const [seven, three] = [await createKey(gateway.env, ['--rate', '7/min']), await createKey(gateway.env, ['--rate', '3/min'])]
    const answers = await Promise.all(Array.from({ length: 16 }, async (_, i) => ({ key: i % 2, answer: await predict((i % 2 === 0 ? seven : three).secret) })))
    expect(counts(answers.filter((a) => a.key === 0).map((a) => a.answer))).toEqual({ 200: 7, 429: 1 })
    expect(counts(answers.filter((a) => a.key === 1).map((a) => a.answer))).toEqual({ 200: 3, 429: 5 })
  })

  it('refuses a revoked key on every worker within KEY_CACHE_MS', async () => {
    const { id, secret } = await createKey(gateway.env, ['--rate', '1000/min'])
    for (let i = 0; i < 4; i++) expect((await predict(secret)).status).toBe(200)
    expect((await runKeys(['revoke', id], gateway.env)).code).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 400))
    const answers: Answer[] = []
    for (let i = 0; i < 6; i++) answers.push(await predict(secret))
    expect(counts(answers)).toEqual({ 401: 6 })
    expect(await workersOf(answers)).toEqual(new Set([1, 2]))
  })

  it('applies an upstreams file change on every worker', async () => {
    const from = gateway.logLines().length
    writeFileSync(`${gateway.upstreamsPath}.tmp`, JSON.stringify(table({ 'mobilenet-b': { stable: { version: '1.0.0', replicas: [service.url] } } })))
    renameSync(`${gateway.upstreamsPath}.tmp`, gateway.upstreamsPath)
    const reloaded = await gateway.waitForLines((l) => l.msg === 'upstreams reloaded', 2, from)
    expect(new Set(reloaded.map((l) => l.worker))).toEqual(new Set([1, 2]))
    const { secret } = await createKey(gateway.env, ['--rate', '1000/min'])
    const answers: Answer[] = []
    for (let i = 0; i < 4; i++) answers.push(await predict(secret, 'mobilenet-b'))
    expect(counts(answers)).toEqual({ 200: 4 })
  })

  it('refuses a second gateway on its data folder', async () => {
    const second = spawnProcess(process.execPath, ['gateway/bin/gateway.js'], { env: { ...gateway.env, PORT: '0', GATEWAY_WORKERS: '2' } })
    expect(await second.exited).toBe(1)
    expect(second.output()).toContain('Another gateway process serves from this data folder')
  })

  it('replaces a worker that dies, and logs it, without dropping the other\'s connections', async () => {
    const { secret } = await createKey(gateway.env, ['--rate', '1000/min'])
    const { pids } = gateway.logLines().find((l) => l.msg === 'gateway workers listening') as { pids: Record<string, number> }
    // A kept-alive connection, held by one worker; the other one dies.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const first = await send('/model/mobilenet/predict', { authorization: `Bearer ${secret}` }, image, agent)
    const [holder] = await workersOf([first])
    const victim = Number(Object.entries(pids).find(([id]) => Number(id) !== holder)![1])
    const from = gateway.logLines().length
    process.kill(victim, 'SIGKILL')
    const [died] = await gateway.waitForLines((l) => l.msg === 'gateway worker died, starting another', 1, from)
    expect(died).toMatchObject({ pid: victim, signal: 'SIGKILL' })
    const again = await send('/model/mobilenet/predict', { authorization: `Bearer ${secret}` }, image, agent)
    expect(again).toMatchObject({ status: 200, reusedSocket: true })
    agent.destroy()
    await gateway.waitForLines((l) => l.msg === 'gateway ready' && l.worker === 3, 1, from)
    const answers: Answer[] = []
    for (let i = 0; i < 6; i++) answers.push(await predict(secret))
    expect(counts(answers)).toEqual({ 200: 6 })
    expect(await workersOf(answers)).toEqual(new Set([holder, 3]))
  })
})

describe('stopping', () => {
  it('drains every worker on SIGTERM: a request in flight completes, then the gateway exits 0', async () => {
    const { secret } = await createKey(gateway.env, ['--rate', '1000/min'])
    const inFlight = postPhotoInHalves(`${gateway.url}/model/mobilenet/predict`, 'person.jpg', {
      headers: { authorization: `Bearer ${secret}` },
      pauseMs: 300,
      meanwhile: () => { gateway.signal('SIGTERM') },
      restAfterMs: 500
    })
    expect((await inFlight).status).toBe(200)
    expect(await gateway.exited()).toBe(0)
  })

  it('stops, with the last error, when workers keep dying', async () => {
    // Only the workers connect to Redis: every one of them fails at start.
    const crashing = spawnProcess(process.execPath, ['gateway/bin/gateway.js'], { env: { ...gateway.env, PORT: '0', GATEWAY_WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:1' } })
    expect(await crashing.exited).toBe(1)
    // However long each start takes to fail (seconds, on a loaded machine), the fifth in a row stops it.
    expect(crashing.output()).toMatch(/Gateway workers failed to start 5 times in a row; stopping\. The last one: Redis at REDIS_URL \(redis:\/\/127\.0\.0\.1:1\) does not answer/)
  })

  it.each(['0', '65', 'two'])('refuses GATEWAY_WORKERS=%s at start, naming it', async (value) => {
    const bad = spawnProcess(process.execPath, ['gateway/bin/gateway.js'], { env: { ...gateway.env, PORT: '0', GATEWAY_WORKERS: value } })
    expect(await bad.exited).toBe(1)
    expect(bad.output()).toContain('GATEWAY_WORKERS')
  })
})
