// Shadow traffic (docs/gateway.md, "Shadow traffic"): a share of a model's predict requests is sent
// again, once the caller has the primary's answer, to the model's shadow (another model, or a
// candidate version that serves nobody), and the two answers are compared. Nothing of it can reach
// the caller: the sample's body and the primary's answer are copied as they stream past (bounded), the
// shadow request leaves after the response has gone, and its failures, timeouts and 429s, a full
// in-flight budget or a dead target are only counted. It counts against no rate limit and no usage.
import { randomUUID } from 'node:crypto'
import { PROBLEM_CODE_HEADER } from '@modelgate/server-kit'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import { Counter, Histogram, type Registry } from 'prom-client'
import { Agent, type Dispatcher, request as send } from 'undici'
import type { UpstreamRegistry } from '../upstreams/registry.ts'
import { type Answer, type Comparison, compareAnswers, parseAnswer } from './compare.ts'
import type { ShadowOutcome, ShadowWindow } from './shadow-window.ts'

export interface MirrorOptions {
  registry: UpstreamRegistry
  window: ShadowWindow
  metrics: Registry
  log: FastifyBaseLogger
  /** Sent as Authorization: Bearer, as to every model service. */
  serviceToken?: string
  /** SHADOW_MAX_BODY_BYTES: larger bodies are not mirrored. */
  maxBodyBytes: number
  /** SHADOW_MAX_IN_FLIGHT: past it, samples are skipped. */
  maxInFlight: number
  timeoutMs: number
}

const elapsedMs = (since: number): number => Math.round((performance.now() - since) * 100) / 100

/** A predict answer is small; anything larger is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024

/** A response's body, or its first `max + 1` bytes when it is longer (the rest is not read). */
async function readAtMost (body: Dispatcher.ResponseData['body'], max: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of body) {
    chunks.push(chunk as Buffer)
    bytes += (chunk as Buffer).length
    // Leaving the loop destroys the stream.
    if (bytes > max) break
  }
  return Buffer.concat(chunks).subarray(0, max + 1)
}

/** The code of a problem answer whose service did not name it in a header. */
function problemCode (body: Buffer): string | undefined {
  try {
    const code = (JSON.parse(body.toString()) as { code?: unknown } | null)?.code
    return typeof code === 'string' ? code : undefined
  } catch {
    return undefined
  }
}

/** What a sampled request keeps while it streams past: its body and the primary's answer, bounded. */
export class ShadowSample {
  #body: Buffer[] = []
  #bodyBytes = 0
  #answer: Buffer[] = []
  #answerBytes = 0
  /** The body went over the limit: not mirrored. */
  tooLarge = false

  constructor (readonly maxBodyBytes: number) {}

  addBody (chunk: Buffer): void {
    if (this.tooLarge) return
    this.#bodyBytes += chunk.length
    if (this.#bodyBytes > this.maxBodyBytes) {
      this.tooLarge = true
      this.#body = []
    } else {
      this.#body.push(chunk)
    }
  }

  addAnswer (chunk: Buffer): void {
    this.#answerBytes += chunk.length
    if (this.#answerBytes <= MAX_ANSWER_BYTES) this.#answer.push(chunk)
  }

  body (): Buffer { return Buffer.concat(this.#body) }
  answer (): Buffer { return Buffer.concat(this.#answer) }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on a predict request sampled for its model's shadow. */
    shadowSample: ShadowSample | null
  }
}

export interface ShadowMirror {
  /** On a predict request before its body is read: whether it is sampled for the model's shadow. */
  sample: (request: FastifyRequest, modelId: string) => void
  /** Once the primary's answer has gone to the caller: mirrors, compares and counts. */
  finish: (request: FastifyRequest, reply: FastifyReply) => void
  /** Closes the shadow connections (in-flight shadow requests are dropped). */
  close: () => Promise<void>
}

export function createShadowMirror (opts: MirrorOptions): ShadowMirror {
  const registers = [opts.metrics]
  const requests = new Counter({ registers, name: 'gateway_shadow_requests_total', help: 'Sampled predict requests by model, shadow target and outcome (compared, failed, skipped)', labelNames: ['model', 'target', 'outcome'] as const })
  const agreements = new Counter({ registers, name: 'gateway_shadow_top1_agreements_total', help: 'Compared shadow requests whose top-1 class was the primary\'s', labelNames: ['model', 'target'] as const })
  const latency = new Histogram({
    registers,
    name: 'gateway_shadow_service_duration_seconds',
    help: 'Each side\'s own service time (its timing.totalMs) on compared shadow requests',
    labelNames: ['model', 'target', 'side'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
  })
  let inFlight = 0
  // Connections of their own, never more than the in-flight budget: the primary's pool is not shared.
  const agent = new Agent({ connections: opts.maxInFlight, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs })

  function count (modelId: string, target: string, outcome: ShadowOutcome, comparison?: Comparison): void {
    opts.window.record(modelId, outcome, comparison)
    requests.inc({ model: modelId, target, outcome })
    if (comparison === undefined) return
    // By 0 on a disagreement too: the series exists from the first comparison, for agreement ratios.
    agreements.inc({ model: modelId, target }, comparison.top1Agrees ? 1 : 0)
    for (const side of ['primary', 'shadow'] as const) {
      const ms = comparison[side].totalMs
      if (ms !== undefined) latency.observe({ model: modelId, target, side }, ms / 1000)
    }
  }

  async function mirror (request: FastifyRequest, sample: ShadowSample, primary: Answer, modelId: string, label: string): Promise<void> {
    const target = opts.registry.pickShadow(modelId)
    if (target === undefined) {
      count(modelId, label, 'failed')
      opts.log.info({ shadowOf: request.id, shadowTarget: label, modelId, outcome: 'failed', reason: 'no replica of the shadow is up' }, 'shadow request not sent')
      return
    }
    const id = randomUUID()
    const body = sample.body()
    const query = request.url.indexOf('?') === -1 ? '' : request.url.slice(request.url.indexOf('?'))
    const headers: Record<string, string> = { 'content-type': request.headers['content-type'] ?? 'application/octet-stream', 'x-request-id': id }
    if (opts.serviceToken !== undefined) headers.authorization = `Bearer ${opts.serviceToken}`
    const started = performance.now()
    let statusCode = 0
    let upstreamMs: number | null = null
    let bytesOut = 0
    let errCode: string | null = null
    let comparison: Comparison | undefined
    try {
      const res = await send(`${target.replica}/predict${query}`, { method: 'POST', headers, body, dispatcher: agent })
      statusCode = res.statusCode
      upstreamMs = elapsedMs(started)
      const answer = await readAtMost(res.body, MAX_ANSWER_BYTES)
      bytesOut = answer.length
      const parsed = statusCode === 200 && answer.length <= MAX_ANSWER_BYTES ? parseAnswer(answer) : undefined
      const named = res.headers[PROBLEM_CODE_HEADER]
      if (parsed !== undefined) comparison = compareAnswers(primary, parsed)
      else errCode = (typeof named === 'string' ? named : undefined) ?? problemCode(answer) ?? 'SHADOW_ANSWER_INVALID'
    } catch (err) {
      const code = (err as { code?: string }).code
      errCode = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'SHADOW_TIMEOUT' : 'SHADOW_UNREACHABLE'
    }
    const outcome = comparison === undefined ? 'failed' : 'compared'
    count(modelId, target.label, outcome, comparison)
    // Its own access line, as the kit writes one (docs/logging.md): no credential, and the request it mirrors.
    opts.log.info({
      reqId: id,
      shadowOf: request.id,
      shadowTarget: target.label,
      method: 'POST',
      route: request.routeOptions.url,
      modelId: target.modelId,
      modelVersion: target.version,
      upstream: target.replica,
      statusCode,
      responseTimeMs: elapsedMs(started),
      upstreamMs,
      principal: null,
      clientIp: null,
      bytesIn: body.length,
      bytesOut,
      rateLimited: false,
      errCode,
      outcome,
      ...(comparison === undefined ? {} : { top1Agrees: comparison.top1Agrees, top5Overlap: comparison.top5Overlap })
    }, 'shadow request completed')
  }

  return {
    sample (request, modelId) {
      const shadow = opts.registry.shadow(modelId)
      if (shadow === undefined || shadow.percent <= 0 || Math.random() * 100 >= shadow.percent) return
      request.shadowSample = new ShadowSample(opts.maxBodyBytes)
    },

    finish (request, reply) {
      const sample = request.shadowSample
      if (sample === null) return
      request.shadowSample = null
      // A request refused before it was routed (unknown model, forbidden) was never the model's traffic,
      // nor is one whose model lost its shadow on a reload while it was being answered.
      const modelId = request.target?.modelId
      const label = modelId === undefined ? undefined : opts.registry.shadow(modelId)?.label
      if (modelId === undefined || label === undefined) return
      const primary = reply.statusCode === 200 ? parseAnswer(sample.answer()) : undefined
      // Nothing to compare with (the primary failed, the caller left), a body over the limit, or the budget spent.
      if (primary === undefined || sample.tooLarge || inFlight >= opts.maxInFlight) {
        count(modelId, label, 'skipped')
        return
      }
      inFlight++
      mirror(request, sample, primary, modelId, label).catch((err: unknown) => opts.log.error({ err, shadowOf: request.id }, 'shadow request failed'))
        .finally(() => { inFlight-- })
    },

    close: async () => { await agent.destroy() }
  }
}
