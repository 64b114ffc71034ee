// A fixed-size latency histogram for the ops window: log-spaced bins, so memory does not grow with
// traffic and a percentile is off by at most half a bin (about 7%), clamped to the values seen.

const FIRST_BOUND_MS = 0.05
const GROWTH = 1.15
/** Bin i holds values in [FIRST·GROWTH^(i-1), FIRST·GROWTH^i); bin 0 everything below FIRST; the last is open. */
export const BIN_COUNT = 110
const LOG_GROWTH = Math.log(GROWTH)

export interface LatencyHistogram {
  bins: Uint32Array
  count: number
  minMs: number
  maxMs: number
}

export function createHistogram (): LatencyHistogram {
  return { bins: new Uint32Array(BIN_COUNT), count: 0, minMs: Number.POSITIVE_INFINITY, maxMs: 0 }
}

export function resetHistogram (h: LatencyHistogram): void {
  h.bins.fill(0)
  h.count = 0
  h.minMs = Number.POSITIVE_INFINITY
  h.maxMs = 0
}

function binOf (ms: number): number {
  if (!(ms >= FIRST_BOUND_MS)) return 0
  return Math.min(BIN_COUNT - 1, 1 + Math.floor(Math.log(ms / FIRST_BOUND_MS) / LOG_GROWTH))
}

export function addLatency (h: LatencyHistogram, ms: number): void {
  h.bins[binOf(ms)]! += 1
  h.count++
  if (ms < h.minMs) h.minMs = ms
  if (ms > h.maxMs) h.maxMs = ms
}

/** Adds `from` into `into`. */
export function mergeHistogram (into: LatencyHistogram, from: LatencyHistogram): void {
  for (let i = 0; i < BIN_COUNT; i++) into.bins[i]! += from.bins[i]!
  into.count += from.count
  into.minMs = Math.min(into.minMs, from.minMs)
  into.maxMs = Math.max(into.maxMs, from.maxMs)
}

/** The q-quantile (0..1) in ms, rounded to 0.01; null when empty. */
export function quantile (h: LatencyHistogram, q: number): number | null {
  if (h.count === 0) return null
  const rank = Math.max(1, Math.ceil(q * h.count))
  // The extremes are known exactly; small samples (a quiet bucket's p95) often land on them.
  if (rank >= h.count) return Math.round(h.maxMs * 100) / 100
  if (rank === 1) return Math.round(h.minMs * 100) / 100
  let seen = 0
  let bin = 0
  for (; bin < BIN_COUNT; bin++) {
    seen += h.bins[bin]!
    if (seen >= rank) break
  }
  const lower = bin === 0 ? 0 : FIRST_BOUND_MS * GROWTH ** (bin - 1)
  const upper = FIRST_BOUND_MS * GROWTH ** bin
  const estimate = Math.min(h.maxMs, Math.max(h.minMs, (lower + upper) / 2))
  return Math.round(estimate * 100) / 100
}

/** A histogram as JSON (for another process): empty ones have no minimum. */
export interface HistogramJson { bins: number[], count: number, minMs: number | null, maxMs: number }

export function histogramToJson (h: LatencyHistogram): HistogramJson {
  return { bins: Array.from(h.bins), count: h.count, minMs: h.count === 0 ? null : h.minMs, maxMs: h.maxMs }
}

export function histogramFromJson (json: HistogramJson): LatencyHistogram {
  return { bins: Uint32Array.from(json.bins.slice(0, BIN_COUNT)), count: json.count, minMs: json.minMs ?? Number.POSITIVE_INFINITY, maxMs: json.maxMs }
}
