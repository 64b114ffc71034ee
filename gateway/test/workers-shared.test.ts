// What the gateway's workers share through their primary, as plain logic: the rate-limit counters, and
// the ops and shadow windows one worker sums for GET /ops/summary.
import { describe, expect, it } from 'vitest'
import { FixedWindowCounters } from '../src/limits/shared-counters.ts'
import { OpsWindow } from '../src/ops/ops-window.ts'
import { ShadowWindow } from '../src/shadow/shadow-window.ts'

describe('the shared rate-limit counters', () => {
  it('count every request of a window once, whoever asks, and start over when it ends', () => {
    let now = 1_000_000
    const counters = new FixedWindowCounters(() => now)
    expect(counters.incr('key:a', 60_000)).toEqual({ current: 1, ttl: 60_000 })
    now += 15_000
    expect(counters.incr('key:a', 60_000)).toEqual({ current: 2, ttl: 45_000 })
    expect(counters.incr('key:b', 60_000)).toEqual({ current: 1, ttl: 60_000 })
    now += 45_000
    expect(counters.incr('key:a', 60_000)).toEqual({ current: 1, ttl: 60_000 })
    now += 30_000
    expect(counters.sweep()).toBe(1)
  })

  it('forget the least recently counted key past their limit of keys, not one still counting', () => {
    const counters = new FixedWindowCounters(() => 0, 3)
    counters.incr('key:a', 60_000)
    counters.incr('ip:1', 60_000)
    counters.incr('ip:2', 60_000)
    expect(counters.incr('key:a', 60_000).current).toBe(2)
    // A fourth key: ip:1, counted least recently, goes; key:a keeps its count.
    counters.incr('ip:3', 60_000)
    expect(counters.incr('key:a', 60_000).current).toBe(3)
    expect(counters.incr('ip:1', 60_000).current).toBe(1)
    expect(counters.sweep()).toBe(3)
  })
})

describe('summing the workers\' windows', () => {
  it('adds up requests, errors and latencies bucket by bucket, and keeps the earliest start', () => {
    let now = Date.UTC(2026, 10, 30, 12)
    const clock = (): number => now
    const [a, b] = [new OpsWindow(clock), new OpsWindow(clock)]
    a.record('resnet', { statusCode: 200, latencyMs: 10 })
    now += 20_000
    b.record('resnet', { statusCode: 200, latencyMs: 30 })
    b.record('resnet', { statusCode: 502 })
    b.record('mobilenet', { statusCode: 429 })
    const sum = new OpsWindow(clock)
    for (const w of [a, b]) sum.absorb(JSON.parse(JSON.stringify(w.snapshot())) as ReturnType<OpsWindow['snapshot']>)
    expect(sum.summarize('resnet')).toMatchObject({ requests: 3, errorRate: 0.3333, latencyMs: { p50: 10, p99: 30 } })
    expect(sum.summarize('mobilenet')).toMatchObject({ requests: 1, rateLimited: 1 })
    // Over 20 s of uptime (a's), not the sum's own.
    expect(sum.summarize('resnet').requestsPerSecond).toBe(0.15)
    // Buckets older than the window are left out.
    now += 400_000
    const late = new OpsWindow(clock)
    late.absorb(a.snapshot())
    expect(late.summarize('resnet').requests).toBe(0)
  })

  it('adds up shadow comparisons the same way', () => {
    const now = Date.UTC(2026, 10, 30, 12)
    const [a, b] = [new ShadowWindow(() => now), new ShadowWindow(() => now)]
    const comparison = (agrees: boolean, ms: number): Parameters<ShadowWindow['record']>[2] =>
      ({ top1Agrees: agrees, top5Overlap: 1, absTop1ProbabilityDelta: 0.1, primary: { totalMs: ms }, shadow: { totalMs: ms / 2 } }) as Parameters<ShadowWindow['record']>[2]
    a.record('resnet', 'compared', comparison(true, 20))
    b.record('resnet', 'compared', comparison(false, 40))
    b.record('resnet', 'skipped')
    const sum = new ShadowWindow(() => now)
    for (const w of [a, b]) sum.absorb(JSON.parse(JSON.stringify(w.snapshot())) as ReturnType<ShadowWindow['snapshot']>)
    expect(sum.summarize('resnet')).toMatchObject({ sampled: 3, compared: 2, skipped: 1, top1Agreement: 0.5, latencyMs: { primary: { p50: 20, p95: 40 }, shadow: { p50: 10, p95: 20 } } })
  })
})
