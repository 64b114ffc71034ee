// The hostile corpus (tests/hostile/corpus/*.json) against the real platform: every gateway case on a
// socket of its own through the gateway, every fetcher case in-process against the image fetcher.
// Each must get its expected problem: never a 5xx, a hang, a crash, or a model service doing work
// for a request the gateway should have stopped.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SHARED_IMAGES } from '../helpers/spawn.ts'
import { startServer } from '../../services/model-server/test/image-host.ts'
import { strayAttempts, tripwire } from '../../services/model-server/test/loopback-tripwire.ts'
import { FILES_DIR, type HostileCase, loadCorpus } from './corpus.ts'
import { type ImageHosts, runFetcherCase } from './fetcher-case.ts'
import { gatewayRequest } from './gateway-request.ts'
import { type Platform, startPlatform } from './platform.ts'
import { type Answer, send } from './send.ts'

const corpus = loadCorpus()
const gatewayCases = corpus.filter((c) => c.target === 'gateway')
const fetcherCases = corpus.filter((c) => c.target === 'fetcher')
// Far above any case's honest answer (a slow upload is cut after REQUEST_TIMEOUT_MS, 1.5 s here).
const CASE_TIMEOUT_MS = 10_000
const photo = readFileSync(`${SHARED_IMAGES}cat_720p.jpg`)

/** Sends the head and part of a declared body, then closes the connection once the gateway has begun. */
async function abandonUpload (port: number, headers: Record<string, string>, part: Buffer): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  const head = Object.entries({ ...headers, host: '127.0.0.1', 'content-length': String(part.length * 10) }).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  socket.write(`POST /model/resnet/predict HTTP/1.1\r\n${head}\r\n`)
  socket.write(part)
  socket.on('error', () => {})
  // Closing at once could beat the gateway to the upstream; a short wait on the socket is part of the scenario.
  await new Promise((resolve) => setTimeout(resolve, 300))
  socket.destroy()
}

describe('the corpus', () => {
  it('holds at least 40 cases, each in its own file, with fixtures under 1 MB in all', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40)
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length)
    const bytes = readdirSync(FILES_DIR).reduce((sum, f) => sum + statSync(`${FILES_DIR}${f}`).size, 0)
    expect(bytes).toBeLessThan(1024 * 1024)
  })
})

function problemOf (answer: Answer): Record<string, unknown> {
  try {
    return JSON.parse(answer.body) as Record<string, unknown>
  } catch {
    return { unparsed: answer.body.slice(0, 200) }
  }
}

describe('hostile requests through the gateway', () => {
  let platform: Platform
  beforeAll(async () => { platform = await startPlatform() })

  it.each(gatewayCases.map((c) => [c.name, c] as const))('%s', async (_name, c: HostileCase) => {
    const vars = { gatewayPort: String(platform.gateway.port), servicePort: String(platform.service.port), key: platform.key }
    const request = gatewayRequest(c, { vars, key: platform.key, tokens: platform.tokens }, `hostile-${c.file.replace(/\.json$/, '')}`)
    const before = await platform.servicePredictions()
    const answer = await send(platform.gateway.port, request, CASE_TIMEOUT_MS)
    const summary = { status: answer.status, error: answer.error, problem: problemOf(answer) }

    expect(answer.status, `no answer within ${CASE_TIMEOUT_MS} ms`).not.toBe(-1)
    expect(answer.status, JSON.stringify(summary)).toBe(c.expect.status)
    expect(answer.headers['x-powered-by']).toBeUndefined()
    if (c.expect.code !== undefined) {
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(summary.problem).toMatchObject({ code: c.expect.code, status: c.expect.status })
    }
    if (c.expect.reachesService !== undefined) {
      expect(await platform.servicePredictions() - before, 'requests the model service answered').toBe(c.expect.reachesService ? 1 : 0)
    }
  }, CASE_TIMEOUT_MS + 5000)

  it('lets the well-made credentials of the same kinds through (the refusals above are for their reason)', async () => {
    const vars = { key: platform.key }
    const image = { target: 'gateway', bodyFile: 'jpeg-zip-polyglot.jpg', headers: { 'content-type': 'image/jpeg' } } as const
    for (const [name, auth] of [['key', 'key'], ['idp', { jwt: { issuer: 'idp', signWith: 'idp' } }], ['session', { jwt: { issuer: 'session', signWith: 'session' } }]] as const) {
      const c = { ...image, name, attack: 'none', auth, expect: { status: 200 }, file: `${name}.json` } as HostileCase
      const answer = await send(platform.gateway.port, gatewayRequest(c, { vars, key: platform.key, tokens: platform.tokens }, `control-${name}`), CASE_TIMEOUT_MS)
      expect(answer.status, `${name}: ${answer.body}`).toBe(200)
    }
  })

  // The gateway passed `expect` on, undici refused it: 502 for every curl upload over 1 MB.
  it('classifies an upload sent with Expect: 100-continue, as curl sends bodies over 1 MB', async () => {
    const headers = { authorization: `Bearer ${platform.key}`, 'content-type': 'image/jpeg', expect: '100-continue' }
    const answer = await send(platform.gateway.port, { method: 'POST', path: '/model/resnet/predict', headers, body: photo }, CASE_TIMEOUT_MS)
    expect(answer.status, answer.body).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ predictions: [{ label: 'cat' }, {}, {}, {}, {}] })
  })

  // A client leaving mid-upload failed the proxied request, and the gateway marked the replica down.
  it('keeps the replica in rotation when a client abandons its upload', async () => {
    const from = platform.gateway.logLines().length
    const headers = { authorization: `Bearer ${platform.key}`, 'content-type': 'image/jpeg', 'x-request-id': 'hostile-abandoned' }
    await abandonUpload(platform.gateway.port, headers, photo.subarray(0, 1000))
    // Its access line says the client left; a replica marked down would be logged in the same tick.
    const [line] = await platform.gateway.waitForLines((l) => l.reqId === 'hostile-abandoned' && l.msg === 'request completed', 1, from)
    expect(line, 'the gateway logged the abandoned upload').toMatchObject({ statusCode: 499, clientClosed: true, bytesIn: 1000 })
    expect(platform.gateway.logLines().slice(from).filter((l) => l.msg === 'replica down')).toEqual([])
    const next = await send(platform.gateway.port, { method: 'POST', path: '/model/resnet/predict', headers: { ...headers, 'x-request-id': 'hostile-after' }, body: photo }, CASE_TIMEOUT_MS)
    expect(next.status).toBe(200)
  })

  it('is still alive and ready after the corpus, and never took the model service out of rotation', async () => {
    expect((await fetch(`${platform.gateway.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${platform.service.url}/readyz`)).status).toBe(200)
    expect(platform.gateway.logLines().filter((l) => l.msg === 'replica down')).toEqual([])
    expect(platform.gateway.logLines().filter((l) => Number(l.statusCode) >= 500)).toEqual([])
  })
})

describe('hostile image URLs against the fetcher (in-process, loopback only)', () => {
  let hosts: ImageHosts
  beforeAll(async () => {
    hosts = { allowed: await startServer('127.0.0.1'), other: await startServer('127.0.0.1') }
    tripwire.arm()
  })
  afterAll(async () => {
    tripwire.disarm()
    await Promise.all([hosts.allowed.close(), hosts.other.close()])
  })

  it.each(fetcherCases.map((c) => [c.name, c] as const))('%s', async (_name, c: HostileCase) => {
    const outcome = await runFetcherCase(c, hosts)
    expect(strayAttempts.splice(0), 'connection attempts beyond loopback').toEqual([])
    expect(outcome).toMatchObject({ status: c.expect.status, ...(c.expect.code === undefined ? {} : { code: c.expect.code }) })
    if (c.expect.hostRequests !== undefined) expect(outcome.hostRequests, 'requests the image hosts received').toBe(c.expect.hostRequests)
    expect(hosts.other.connections, 'connections to the host that is never allowed').toBe(0)
  }, CASE_TIMEOUT_MS)
})
