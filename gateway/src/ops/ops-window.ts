// Per-model request statistics over the last few minutes for GET /ops/summary, kept in process: a
// ring of fixed 10-second buckets per model (bucket-rings.ts), each with counters and a fixed-size
// latency histogram.
import { BUCKET_SECONDS, BucketRings, SLOTS, WINDOW_SECONDS, bucketStart, windowStart } from './bucket-rings.ts'
import { type HistogramJson, type LatencyHistogram, addLatency, createHistogram, histogramFromJson, histogramToJson, mergeHistogram, quantile, resetHistogram } from './latency-histogram.ts'

export interface Outcome {
  statusCode: number
  /** Whole response time; only for requests routed to a version (refusals before that would skew it). */
  latencyMs?: number
}

interface Bucket {
  /** Epoch seconds of the bucket's start; -1 while unused. */
  start: number
  requests: number
  errors: number
  rateLimited: number
  latency: LatencyHistogram
}

/** A window's buckets as JSON, for the gateway worker that sums every worker's (GET /ops/summary). */
export interface OpsSnapshot {
  startedAt: number
  models: Record<string, Array<{ start: number, requests: number, errors: number, rateLimited: number, latency: HistogramJson }>>
}

export interface SeriesPoint { t: number, requests: number, errors: number, rateLimited: number, p95Ms: number | null }

export interface ModelWindow {
  requests: number
  requestsPerSecond: number
  errorRate: number
  rateLimited: number
  latencyMs: { p50: number | null, p95: number | null, p99: number | null }
  /** Every bucket of the window, oldest first, empty ones included. */
  series: SeriesPoint[]
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits

export class OpsWindow {
  readonly windowSeconds = WINDOW_SECONDS
  #rings = new BucketRings<Bucket>(
    () => ({ start: -1, requests: 0, errors: 0, rateLimited: 0, latency: createHistogram() }),
    (b) => {
      b.requests = b.errors = b.rateLimited = 0
      resetHistogram(b.latency)
    })

  #now: () => number
  #startedAt: number

  constructor (now: () => number = Date.now) {
    this.#now = now
    this.#startedAt = now()
  }

  record (modelId: string, outcome: Outcome): void {
    const bucket = this.#rings.at(modelId, bucketStart(this.#now()))
    bucket.requests++
    if (outcome.statusCode >= 500) bucket.errors++
    if (outcome.statusCode === 429) bucket.rateLimited++
    if (outcome.latencyMs !== undefined) addLatency(bucket.latency, outcome.latencyMs)
  }

  snapshot (): OpsSnapshot {
    const models: OpsSnapshot['models'] = {}
    for (const [id, buckets] of this.#rings.used()) {
      models[id] = buckets.map((b) => ({ start: b.start, requests: b.requests, errors: b.errors, rateLimited: b.rateLimited, latency: histogramToJson(b.latency) }))
    }
    return { startedAt: this.#startedAt, models }
  }

  /** Adds another window's buckets (another gateway worker's) to this one's; the earlier start counts. */
  absorb (snapshot: OpsSnapshot): void {
    this.#startedAt = Math.min(this.#startedAt, snapshot.startedAt)
    const oldest = windowStart(this.#now())
    for (const [id, buckets] of Object.entries(snapshot.models)) {
      for (const from of buckets) {
        if (from.start < oldest) continue
        const into = this.#rings.at(id, from.start)
        into.requests += from.requests
        into.errors += from.errors
        into.rateLimited += from.rateLimited
        mergeHistogram(into.latency, histogramFromJson(from.latency))
      }
    }
  }

  /** Drops the statistics of models no longer served. */
  retain (modelIds: string[]): void {
    this.#rings.retain(modelIds)
  }

  summarize (modelId: string): ModelWindow {
    const now = this.#now()
    const current = bucketStart(now)
    const total = createHistogram()
    const series: SeriesPoint[] = []
    let requests = 0
    let errors = 0
    let rateLimited = 0
    for (let i = SLOTS - 1; i >= 0; i--) {
      const t = current - i * BUCKET_SECONDS
      const bucket = this.#rings.peek(modelId, t)
      if (bucket === undefined) {
        series.push({ t, requests: 0, errors: 0, rateLimited: 0, p95Ms: null })
        continue
      }
      requests += bucket.requests
      errors += bucket.errors
      rateLimited += bucket.rateLimited
      mergeHistogram(total, bucket.latency)
      series.push({ t, requests: bucket.requests, errors: bucket.errors, rateLimited: bucket.rateLimited, p95Ms: quantile(bucket.latency, 0.95) })
    }
    // The buckets span 290 s and part of the current one; a gateway up for less divides by its uptime.
    const span = now / 1000 - windowStart(now)
    const seconds = Math.max(1, Math.min(span, (now - this.#startedAt) / 1000))
    return {
      requests,
      requestsPerSecond: round(requests / seconds, 2),
      errorRate: requests === 0 ? 0 : round(errors / requests, 4),
      rateLimited,
      latencyMs: { p50: quantile(total, 0.5), p95: quantile(total, 0.95), p99: quantile(total, 0.99) },
      series
    }
  }
}
