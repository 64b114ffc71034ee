// Shadow traffic through the real gateway: `resnet` mirrored to `resnet-int8`, both real services
// on the shared photos. Callers must get resnet's own answers whatever the shadow does; the shadow
// shows up in /ops/summary and the log only.
import { execFile } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OpsSummary } from '../../gateway/src/ops/summary.ts'
import { createKey } from '../helpers/keys-cli.ts'
import { dashboardLogFields } from '../infra/platform.ts'
import { type GatewayHandle, type ProcessHandle, startGateway, startService } from '../helpers/processes.ts'
import { PHOTOS, type PredictAnswer, postPhoto } from '../helpers/reference.ts'
import { ROOT, SHARED_IMAGES, SHARED_MODELS } from '../helpers/spawn.ts'

let resnet: ProcessHandle
let int8: ProcessHandle
let gateway: GatewayHandle
let caller: string
let admin: string

const IN_FLIGHT = 3

type ShadowSummary = NonNullable<OpsSummary['models'][number]['shadow']>

/** What the shadow found on the shared photos: `models compare` must find the same. */
let live: ShadowSummary

function table (shadow?: Record<string, unknown>): { models: Record<string, unknown> } {
  return {
    models: {
      resnet: { stable: { version: '2.0.0', replicas: [resnet.url] }, ...(shadow === undefined ? {} : { shadow }) },
      'resnet-int8': { stable: { version: '1.0.0', replicas: [int8.url] } }
    }
  }
}

/** Replaces the upstreams file as editors do, and waits for the gateway to say it reloaded. */
async function reload (shadow?: Record<string, unknown>): Promise<void> {
  const from = gateway.logLines().length
  writeFileSync(`${gateway.upstreamsPath}.tmp`, JSON.stringify(table(shadow)))
  renameSync(`${gateway.upstreamsPath}.tmp`, gateway.upstreamsPath)
  const [line] = await gateway.waitForLines((l) => l.msg === 'upstreams reloaded', 1, from)
  if (line === undefined) throw new Error(`no reload logged:\n${gateway.output().slice(-2000)}`)
}

async function shadowSummary (): Promise<ShadowSummary | null> {
  const res = await fetch(`${gateway.url}/ops/summary`, { headers: { 'x-api-key': admin } })
  const summary = await res.json() as { models: Array<{ id: string, shadow: ShadowSummary | null }> }
  return summary.models.find((m) => m.id === 'resnet')!.shadow
}

type Counts = Pick<ShadowSummary, 'sampled' | 'compared' | 'skipped' | 'failed'>
const NONE: Counts = { sampled: 0, compared: 0, skipped: 0, failed: 0 }

/**
 * Polls the summary until the counts since `before` satisfy `done`: shadow requests finish after
 * their callers' answers. Resolves with those counts.
 */
async function countsWhen (done: (c: Counts) => boolean, before: Counts = NONE, timeoutMs = 30_000): Promise<Counts & { summary: ShadowSummary }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const summary = await shadowSummary()
    if (summary !== null) {
      const counts = { sampled: summary.sampled - before.sampled, compared: summary.compared - before.compared, skipped: summary.skipped - before.skipped, failed: summary.failed - before.failed }
      if (done(counts)) return { ...counts, summary }
    }
    if (Date.now() > deadline) throw new Error(`shadow summary never settled: ${JSON.stringify(summary)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const settled = (n: number) => (c: Counts): boolean => c.compared + c.failed + c.skipped === n

const topClasses = (answer: PredictAnswer): string[] => answer.predictions.map((p) => p.label)

beforeAll(async () => {
  [resnet, int8] = await Promise.all([startService('resnet'), startService('resnet-int8')])
  gateway = await startGateway({
    upstreams: table({ model: 'resnet-int8', percent: 100 }),
    // A stopped shadow stays "up" to the health checker (long timeout), so its samples are sent to it and wait.
    env: { HEALTH_INTERVAL_MS: '200', HEALTH_TIMEOUT_MS: '20000', UPSTREAM_TIMEOUT_MS: '8000', SHADOW_MAX_IN_FLIGHT: String(IN_FLIGHT) }
  })
  caller = (await createKey(gateway.env, ['--rate', '100000/min'])).secret
  admin = (await createKey(gateway.env, ['--admin'])).secret
})

describe('resnet shadowed by resnet-int8', () => {
  it('gives every caller resnet\'s own answer, counts each photo once, and agrees as the two services\' own answers do', async () => {
    let agreeing = 0
    for (const name of PHOTOS) {
      const [viaGateway, own, shadow] = [
        await postPhoto(`${gateway.url}/model/resnet/predict`, name, { 'x-api-key': caller }),
        await postPhoto(`${resnet.url}/predict`, name),
        await postPhoto(`${int8.url}/predict`, name)
      ]
      expect(viaGateway.status).toBe(200)
      expect(viaGateway.body.model).toEqual(own.body.model)
      expect(viaGateway.body.predictions).toEqual(own.body.predictions)
      if (topClasses(own.body)[0] === topClasses(shadow.body)[0]) agreeing++
    }
    const { summary } = await countsWhen(settled(PHOTOS.length))
    expect(summary).toMatchObject({ target: 'resnet-int8', percent: 100, sampled: PHOTOS.length, compared: PHOTOS.length, failed: 0, skipped: 0 })
    expect(summary.top1Agreement).toBeCloseTo(agreeing / PHOTOS.length, 4)
    live = summary
    // A line may reach stdout just after an answer sent in the same turn of the gateway's event loop.
    const lines = await gateway.waitForLines((l) => l.msg === 'shadow request completed', PHOTOS.length)
    expect(lines).toHaveLength(PHOTOS.length)
    for (const line of lines) expect(line).toMatchObject({ shadowTarget: 'resnet-int8', modelId: 'resnet-int8', upstream: int8.url, statusCode: 200, outcome: 'compared' })
    // The fields the dashboard's shadow panel reads are on every shadow line.
    const fields = dashboardLogFields()['shadow request completed']
    expect(fields).toEqual(expect.arrayContaining(['outcome', 'top1Agrees']))
    for (const field of fields!) for (const line of lines) expect(line, field).toHaveProperty(field)
    expect(JSON.stringify(lines)).not.toContain(caller)
  })

  it('agrees with `pnpm models compare` on the same photos', async () => {
    const images = mkdtempSync(join(tmpdir(), 'mg-compare-'))
    try {
      for (const name of PHOTOS) symlinkSync(join(SHARED_IMAGES, name), join(images, name))
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/models.ts', 'compare', 'resnet', 'resnet-int8', '--images', images, '--json'], {
        cwd: ROOT, env: { ...process.env, MODELS_DIR: SHARED_MODELS, INIT_CWD: ROOT }
      })
      const offline = JSON.parse(stdout) as { images: { compared: number }, agreement: { top1: number, top5Overlap: number, meanAbsTop1ProbabilityDelta: number } }
      expect(offline.images.compared).toBe(live.compared)
      expect(offline.agreement.top1).toBeCloseTo(live.top1Agreement!, 4)
      expect(offline.agreement.top5Overlap).toBeCloseTo(live.top5Overlap!, 4)
      // The services batch requests; the command runs one image at a time: the same up to float rounding.
      expect(offline.agreement.meanAbsTop1ProbabilityDelta).toBeCloseTo(live.meanAbsTop1ProbabilityDelta!, 3)
    } finally {
      rmSync(images, { recursive: true, force: true })
    }
  })

  it('mirrors nothing for a caller over its rate limit, and never spends the caller\'s limit on the shadow', async () => {
    const before = (await shadowSummary())!
    const limited = (await createKey(gateway.env, ['--rate', '3/min'])).secret
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await postPhoto(`${gateway.url}/model/resnet/predict`, 'dog.jpg', { 'x-api-key': limited })).status)
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    expect(await countsWhen(settled(3), before)).toMatchObject({ sampled: 3, compared: 3 })
    // Settled at three: the refused requests were not mirrored.
    expect(await countsWhen(() => true, before)).toMatchObject({ sampled: 3, compared: 3 })
  })

  it('stops mirroring at once when a reload removes the shadow', async () => {
    await reload(undefined)
    const from = gateway.logLines().length
    for (const name of PHOTOS.slice(0, 3)) expect((await postPhoto(`${gateway.url}/model/resnet/predict`, name, { 'x-api-key': caller })).status).toBe(200)
    expect(await shadowSummary()).toBeNull()
    // The answers' own access lines are written; no shadow line came with them.
    await gateway.waitForLines((l) => l.msg === 'request completed' && l.route === '/model/:id/predict', 3, from)
    expect(gateway.logLines().slice(from).filter((l) => l.shadowOf !== undefined)).toEqual([])
  })

  it('answers callers while a hung shadow (SIGSTOP) holds SHADOW_MAX_IN_FLIGHT requests, then counts them as failed', async () => {
    await reload({ model: 'resnet-int8', percent: 100 })
    int8.signal('SIGSTOP')
    try {
      const answers = []
      for (const name of PHOTOS.slice(0, IN_FLIGHT + 3)) answers.push(await postPhoto(`${gateway.url}/model/resnet/predict`, name, { 'x-api-key': caller }))
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200))
      // Every caller has its answer while the first mirrored requests still wait on the shadow: the
      // primary never waited for them. Past the budget, samples were skipped, not queued.
      expect(await countsWhen((c) => c.skipped === 3)).toMatchObject({ sampled: 3, compared: 0, failed: 0, skipped: 3 })
      expect(await countsWhen(settled(IN_FLIGHT + 3))).toMatchObject({ sampled: IN_FLIGHT + 3, compared: 0, skipped: 3, failed: IN_FLIGHT })
    } finally {
      int8.signal('SIGCONT')
    }
    const timeouts = await gateway.waitForLines((l) => l.msg === 'shadow request completed' && l.errCode === 'SHADOW_TIMEOUT', IN_FLIGHT)
    expect(timeouts).toHaveLength(IN_FLIGHT)
  })

  it('only counts a dead shadow as failed, the callers all answered by resnet', async () => {
    await int8.kill()
    const before = (await shadowSummary())!
    for (const name of PHOTOS.slice(0, 4)) {
      const answer = await postPhoto(`${gateway.url}/model/resnet/predict`, name, { 'x-api-key': caller })
      expect([answer.status, answer.body.model.id]).toEqual([200, 'resnet'])
    }
    expect(await countsWhen(settled(4), before)).toMatchObject({ sampled: 4, compared: 0, skipped: 0, failed: 4 })
    await int8.restart()
  })
})
