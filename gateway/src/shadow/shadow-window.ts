// Per-model shadow statistics over the ops window (GET /ops/summary): a ring of 10-second buckets,
// each with the outcome counters, the comparisons' sums, and both sides' latency histograms.
import { BucketRings, bucketStart, windowStart } from '../ops/bucket-rings.ts'
import { type HistogramJson, type LatencyHistogram, addLatency, createHistogram, histogramFromJson, histogramToJson, mergeHistogram, quantile, resetHistogram } from '../ops/latency-histogram.ts'
import type { Comparison } from './compare.ts'

/** What became of one sampled request: each is counted once. */
export type ShadowOutcome = 'compared' | 'failed' | 'skipped'

interface Bucket {
  start: number
  compared: number
  failed: number
  skipped: number
  top1Agreements: number
  top5OverlapSum: number
  absDeltaSum: number
  primary: LatencyHistogram
  shadow: LatencyHistogram
}

const COUNTS = ['compared', 'failed', 'skipped', 'top1Agreements', 'top5OverlapSum', 'absDeltaSum'] as const
type BucketJson = Pick<Bucket, 'start' | typeof COUNTS[number]> & { primary: HistogramJson, shadow: HistogramJson }

/** A shadow window's buckets as JSON, for the gateway worker that sums every worker's. */
export type ShadowSnapshot = Record<string, BucketJson[]>

export interface ShadowStats {
  sampled: number
  compared: number
  skipped: number
  failed: number
  /** Fractions from 0 to 1; null before the first comparison. */
  top1Agreement: number | null
  top5Overlap: number | null
  meanAbsTop1ProbabilityDelta: number | null
  /** Each service's own totalMs (its timing), over the compared requests. */
  latencyMs: { primary: { p50: number | null, p95: number | null }, shadow: { p50: number | null, p95: number | null } }
}

const round = (n: number): number => Math.round(n * 10_000) / 10_000
const empty = (): Bucket => ({ start: -1, compared: 0, failed: 0, skipped: 0, top1Agreements: 0, top5OverlapSum: 0, absDeltaSum: 0, primary: createHistogram(), shadow: createHistogram() })

export class ShadowWindow {
  #rings = new BucketRings<Bucket>(empty, (b) => {
    for (const key of COUNTS) b[key] = 0
    resetHistogram(b.primary)
    resetHistogram(b.shadow)
  })

  #now: () => number

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  record (modelId: string, outcome: ShadowOutcome, comparison?: Comparison): void {
    const bucket = this.#rings.at(modelId, bucketStart(this.#now()))
    bucket[outcome]++
    if (comparison === undefined) return
    if (comparison.top1Agrees) bucket.top1Agreements++
    bucket.top5OverlapSum += comparison.top5Overlap
    bucket.absDeltaSum += comparison.absTop1ProbabilityDelta
    if (comparison.primary.totalMs !== undefined) addLatency(bucket.primary, comparison.primary.totalMs)
    if (comparison.shadow.totalMs !== undefined) addLatency(bucket.shadow, comparison.shadow.totalMs)
  }

  snapshot (): ShadowSnapshot {
    const models: ShadowSnapshot = {}
    for (const [id, buckets] of this.#rings.used()) {
      models[id] = buckets.map((b) => ({
        start: b.start, compared: b.compared, failed: b.failed, skipped: b.skipped, top1Agreements: b.top1Agreements, top5OverlapSum: b.top5OverlapSum, absDeltaSum: b.absDeltaSum, primary: histogramToJson(b.primary), shadow: histogramToJson(b.shadow)
      }))
    }
    return models
  }

  /** Adds another window's buckets (another gateway worker's) to this one's. */
  absorb (snapshot: ShadowSnapshot): void {
    const oldest = windowStart(this.#now())
    for (const [id, buckets] of Object.entries(snapshot)) {
      for (const from of buckets) {
        if (from.start < oldest) continue
        const into = this.#rings.at(id, from.start)
        for (const key of COUNTS) into[key] += from[key]
        mergeHistogram(into.primary, histogramFromJson(from.primary))
        mergeHistogram(into.shadow, histogramFromJson(from.shadow))
      }
    }
  }

  /** Forgets models that no longer have a shadow. */
  retain (modelIds: string[]): void {
    this.#rings.retain(modelIds)
  }

  summarize (modelId: string): ShadowStats {
    const oldest = windowStart(this.#now())
    const total = empty()
    for (const bucket of this.#rings.of(modelId)) {
      if (bucket.start < oldest) continue
      for (const key of COUNTS) total[key] += bucket[key]
      mergeHistogram(total.primary, bucket.primary)
      mergeHistogram(total.shadow, bucket.shadow)
    }
    const per = (sum: number): number | null => total.compared === 0 ? null : round(sum / total.compared)
    return {
      sampled: total.compared + total.failed + total.skipped,
      compared: total.compared,
      skipped: total.skipped,
      failed: total.failed,
      top1Agreement: per(total.top1Agreements),
      top5Overlap: per(total.top5OverlapSum),
      meanAbsTop1ProbabilityDelta: per(total.absDeltaSum),
      latencyMs: {
        primary: { p50: quantile(total.primary, 0.5), p95: quantile(total.primary, 0.95) },
        shadow: { p50: quantile(total.shadow, 0.5), p95: quantile(total.shadow, 0.95) }
      }
    }
  }
}
