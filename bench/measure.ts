// Load loops shared by the benchmarks: a fixed number of workers, stopped by count and by time.
export interface Measurement {
  count: number
  errors: number
  seconds: number
  perSecond: number
  p50Ms: number
  p99Ms: number
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/**
 * Runs `task` from `concurrency` workers until `seconds` pass or `maxCount` tasks are done;
 * a task returning false counts as an error.
 */
export async function runLoad (task: (i: number) => Promise<boolean>, opts: { concurrency: number, seconds: number, maxCount?: number, warmup?: number }): Promise<Measurement> {
  for (let i = 0; i < (opts.warmup ?? opts.concurrency * 2); i++) await task(i)
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  const deadline = started + opts.seconds * 1000
  const maxCount = opts.maxCount ?? 1_000_000
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (performance.now() < deadline && next < maxCount) {
      const i = next++
      const t0 = performance.now()
      const ok = await task(i)
      latencies.push(performance.now() - t0)
      if (!ok) errors++
    }
  }))
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { count: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–')

/** Replaces the part of a Markdown file between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection (doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const block = `${start}\n${body.trim()}\n${end}`
  const from = doc.indexOf(start)
  const to = doc.indexOf(end)
  if (from === -1 || to === -1) return `${doc.trimEnd()}\n\n${block}\n`
  return doc.slice(0, from) + block + doc.slice(to + end.length)
}
