import type { SeriesPoint } from '../api/types.ts'

export const BUCKET_SECONDS = 10

/**
 * The whole window as evenly spaced buckets, oldest first: buckets the gateway left out (no
 * traffic) become zeros, so charts keep their time axis.
 */
export function fillSeries (series: SeriesPoint[], windowSeconds: number, generatedAt: string): SeriesPoint[] {
  const end = Math.floor(Date.parse(generatedAt) / 1000 / BUCKET_SECONDS) * BUCKET_SECONDS
  const count = Math.max(1, Math.round(windowSeconds / BUCKET_SECONDS))
  const byStart = new Map(series.map((p) => [p.t, p]))
  const filled: SeriesPoint[] = []
  for (let i = count - 1; i >= 0; i--) {
    const t = end - i * BUCKET_SECONDS
    filled.push(byStart.get(t) ?? { t, requests: 0, errors: 0, rateLimited: 0, p95Ms: null })
  }
  return filled
}
