// Versions through the real gateway: the shared `resnet` (2.0.0) and `resnet-v1` (1.0.0) bundles as two
// versions of model `resnet`, each a real service process; routing changes by file and by SIGHUP.
import { renameSync, writeFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createKey } from '../helpers/keys-cli.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { photo } from '../helpers/reference.ts'
import { freePort } from '../helpers/spawn.ts'

let v2: ProcessHandle
let v1: ProcessHandle
let gateway: GatewayHandle
let key: string

const cat = photo('cat_720p.jpg')
const HEALTH = { HEALTH_INTERVAL_MS: '200', HEALTH_TIMEOUT_MS: '1000' }

function table (resnet: Record<string, unknown>): { models: Record<string, unknown> } {
  // `other` shares a replica with resnet: a change to resnet must not touch it.
  return { models: { resnet, other: { stable: { version: '9.0.0', replicas: [v2.url] } } } }
}

/** Replaces the file the way editors do: a new file beside it, renamed over it. */
function replaceFile (path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2))
  renameSync(`${path}.tmp`, path)
}

interface Answer { status: number, version: string | null, bodyVersion?: string, code?: string }

async function predict (g: GatewayHandle, headers: Record<string, string> = {}, apiKey = key): Promise<Answer> {
  try {
    const res = await fetch(`${g.url}/model/resnet/predict`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'image/jpeg', ...headers }, body: cat })
    const body = await res.json() as { model?: { version: string }, code?: string }
    return { status: res.status, version: res.headers.get('x-model-version'), ...(body.model === undefined ? {} : { bodyVersion: body.model.version }), ...(body.code === undefined ? {} : { code: body.code }) }
  } catch (err) {
    return { status: 0, version: null, code: (err as Error).message }
  }
}

/** `total` requests, `concurrency` at a time. */
async function load (g: GatewayHandle, total: number, concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = []
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++
      answers.push(await predict(g))
    }
  }))
  return answers
}

async function reloaded (g: GatewayHandle, from: number): Promise<Record<string, unknown>> {
  const [line] = await g.waitForLines((l) => l.msg === 'upstreams reloaded', 1, from)
  if (line === undefined) throw new Error(`no reload logged:\n${g.output().slice(-2000)}`)
  return line
}

beforeAll(async () => {
  [v2, v1] = await Promise.all([startService('resnet'), startService('resnet', { bundle: 'resnet-v1' })])
  gateway = await startGateway({
    upstreams: table({ stable: { version: '2.0.0', replicas: [v2.url] }, canary: { version: '1.0.0', replicas: [v1.url], weight: 30 } }),
    env: HEALTH
  })
  // Far above the default per-key limit: these tests count versions, not 429s.
  key = (await createKey(gateway.env, ['--rate', '100000/min'])).secret
})

describe('canary and pinned versions of resnet', () => {
  it('sends the canary about its weight (30%) of 400 requests, each answer saying its version', async () => {
    const answers = await load(gateway, 400, 8)
    expect(answers.filter((a) => a.status !== 200)).toEqual([])
    for (const a of answers) expect(a.version).toBe(a.bodyVersion)
    const canary = answers.filter((a) => a.version === '1.0.0').length
    // Binomial(400, 0.3): mean 120, sd 9.2. ±46 is five sd: a correct router fails this about once in 1.7 million runs.
    expect(canary).toBeGreaterThanOrEqual(120 - 46)
    expect(canary).toBeLessThanOrEqual(120 + 46)
    expect(answers.filter((a) => a.version === '2.0.0').length).toBe(400 - canary)
  })

  it('serves a pinned version, and 404 MODEL_VERSION_NOT_FOUND with the known ones for another', async () => {
    for (let i = 0; i < 10; i++) expect(await predict(gateway, { 'x-model-version': '1.0.0' })).toMatchObject({ status: 200, version: '1.0.0', bodyVersion: '1.0.0' })
    for (let i = 0; i < 10; i++) expect(await predict(gateway, { 'x-model-version': '2.0.0' })).toMatchObject({ status: 200, version: '2.0.0', bodyVersion: '2.0.0' })
    const res = await fetch(`${gateway.url}/model/resnet/predict`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'image/jpeg', 'x-model-version': '0.9.0' }, body: cat })
    expect(await res.json()).toMatchObject({ status: 404, code: 'MODEL_VERSION_NOT_FOUND', knownVersions: ['2.0.0', '1.0.0'] })
  })

  it('gives a canary that is not ready no traffic, even at weight 100 (changed by file)', async () => {
    const from = gateway.logLines().length
    const dead = `http://127.0.0.1:${await freePort()}`
    replaceFile(gateway.upstreamsPath, table({ stable: { version: '2.0.0', replicas: [v2.url] }, canary: { version: '1.0.0', replicas: [dead], weight: 100 } }))
    expect(await reloaded(gateway, from)).toMatchObject({ trigger: 'file', changed: ['resnet'] })
    const answers = await load(gateway, 40, 4)
    expect(answers.map((a) => `${a.status} ${a.version}`)).toEqual(answers.map(() => '200 2.0.0'))
  })

  it('rolls back to the previous version on a file change under load, failing no request', async () => {
    const path = gateway.upstreamsPath
    let from = gateway.logLines().length
    replaceFile(path, table({ stable: { version: '2.0.0', replicas: [v2.url] } }))
    await reloaded(gateway, from)
    from = gateway.logLines().length
    // Bounded: at most 1500 requests or 60 s, 6 at a time; the rollback is written after the 60th answer.
    const answers: Answer[] = []
    let started = 0
    let rolledBackAt = -1
    const deadline = Date.now() + 60_000
    const done = (): boolean => started >= 1500 || Date.now() > deadline ||
      (rolledBackAt >= 0 && answers.slice(rolledBackAt).filter((a) => a.version === '1.0.0').length >= 100)
    await Promise.all(Array.from({ length: 6 }, async () => {
      while (!done()) {
        started++
        answers.push(await predict(gateway))
        if (answers.length === 60 && rolledBackAt < 0) {
          rolledBackAt = answers.length
          replaceFile(path, table({ stable: { version: '1.0.0', replicas: [v1.url] } }))
        }
      }
    }))
    expect(answers.filter((a) => a.status !== 200)).toEqual([])
    expect(answers.slice(0, 60).every((a) => a.version === '2.0.0')).toBe(true)
    expect(answers.slice(-20).map((a) => a.version)).toEqual(answers.slice(-20).map(() => '1.0.0'))
    expect(await reloaded(gateway, from)).toMatchObject({ trigger: 'file', changed: ['resnet'] })
    // The other model was left as it was.
    const other = await fetch(`${gateway.url}/model/other/predict`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'image/jpeg' }, body: cat })
    expect([other.status, other.headers.get('x-model-version')]).toEqual([200, '9.0.0'])
  })

  it('applies a new canary on SIGHUP when file watching is off', async () => {
    const quiet = await startGateway({
      upstreams: table({ stable: { version: '2.0.0', replicas: [v2.url] } }),
      env: { ...HEALTH, UPSTREAMS_WATCH: 'false' }
    })
    const quietKey = (await createKey(quiet.env)).secret
    writeFileSync(quiet.upstreamsPath, JSON.stringify(table({ stable: { version: '2.0.0', replicas: [v2.url] }, canary: { version: '1.0.0', replicas: [v1.url], weight: 100 } })))
    const from = quiet.logLines().length
    quiet.signal('SIGHUP')
    expect(await reloaded(quiet, from)).toMatchObject({ trigger: 'SIGHUP', changed: ['resnet'] })
    // The new canary is health-checked right after the reload; poll until it has taken the traffic.
    let answer = await predict(quiet, {}, quietKey)
    for (let i = 0; i < 50 && answer.version !== '1.0.0'; i++) answer = await predict(quiet, {}, quietKey)
    expect(answer).toMatchObject({ status: 200, version: '1.0.0' })
  })
})
