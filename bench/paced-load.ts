// Latency at a fixed request rate (an open loop): requests are started on a schedule, whatever the
// previous ones are doing, and each is timed from its start in fractions of a millisecond.
// autocannon's `overallRate` sends each second's share in a burst and records whole milliseconds,
// too coarse for differences under a millisecond.
import { type Measurement, percentile } from './measure.ts'

export interface PacedOptions {
  rate: number
  seconds: number
  /** Requests in flight at most; a request due while this many wait is counted as an error. */
  maxInFlight: number
}

export async function runPaced (task: () => Promise<boolean>, opts: PacedOptions): Promise<Measurement> {
  const total = Math.round(opts.rate * opts.seconds)
  const latencies: number[] = []
  const pending = new Set<Promise<void>>()
  let errors = 0
  let sent = 0
  const started = performance.now()
  const deadline = started + opts.seconds * 1000 + 10_000
  while (sent < total && performance.now() < deadline) {
    const due = Math.min(total, Math.floor((performance.now() - started) * opts.rate / 1000) + 1)
    for (; sent < due; sent++) {
      if (pending.size >= opts.maxInFlight) {
        errors++
        continue
      }
      const t0 = performance.now()
      const p = task().then((ok) => {
        latencies.push(performance.now() - t0)
        if (!ok) errors++
      }, () => { errors++ }).finally(() => pending.delete(p))
      pending.add(p)
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await Promise.all(pending)
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { count: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }
}
