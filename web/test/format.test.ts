import { describe, expect, it } from 'vitest'
import type { ModelInfo, PredictResult } from '../src/api/types.ts'
import { effectiveModel } from '../src/classify/chosen-model.ts'
import { summarizeComparison } from '../src/classify/compare-summary.ts'
import { countOf, formatMs, formatPerSecond, formatProbability, formatRate } from '../src/format.ts'
import { fillSeries } from '../src/ops/series.ts'
import { type ShadowOps, shadowSentence } from '../src/ops/shadow-sentence.ts'
import { routeOf } from '../src/routing.ts'

describe('number formats', () => {
  it('shows probabilities with enough digits to tell small ones apart', () => {
    expect([0.9458, 0.0306, 0.0003, 0.00001, 0, 1].map(formatProbability)).toEqual(['94.6%', '3.06%', '0.03%', '<0.01%', '0%', '100%'])
  })

  it('shows durations in ms or s, and a dash when missing', () => {
    expect([0.4213, 8.34, 42.17, 142.6, 1250, null, undefined, Number.NaN].map(formatMs))
      .toEqual(['0.42 ms', '8.34 ms', '42.2 ms', '143 ms', '1.25 s', '—', '—', '—'])
  })

  it('shows rates and shares without NaN', () => {
    expect([0, 0.0004, 0.0123, 0.25].map(formatRate)).toEqual(['0%', '<0.1%', '1.2%', '25%'])
    expect([0, 0.0033, 0.13, 4.24, 12.34, 120.4, Number.NaN].map(formatPerSecond)).toEqual(['0', '<0.01', '0.13', '4.2', '12.3', '120', '0'])
    expect([countOf(1, 'request'), countOf(1200, 'request')]).toEqual(['1 request', '1,200 requests'])
  })
})

describe('fillSeries', () => {
  it('fills the buckets without traffic with zeros, oldest first, ending at the current bucket', () => {
    const filled = fillSeries([{ t: 1000, requests: 3, errors: 1, rateLimited: 0, p95Ms: 12 }], 60, new Date(1_005_000).toISOString())
    expect(filled.map((p) => p.t)).toEqual([950, 960, 970, 980, 990, 1000])
    expect(filled.at(-1)).toMatchObject({ requests: 3, p95Ms: 12 })
    expect(filled[0]).toEqual({ t: 950, requests: 0, errors: 0, rateLimited: 0, p95Ms: null })
  })
})

describe('summarizeComparison', () => {
  const answer = (label: string, inferenceMs: number): PredictResult => ({
    model: { id: 'x', name: 'x', version: '1' },
    predictions: [{ label, index: 0, probability: 0.9 }],
    timing: { inferenceMs, totalMs: inferenceMs + 1 },
    roundTripMs: inferenceMs + 2
  })

  it('groups models by top-1 label and names the fastest', () => {
    const summary = summarizeComparison([['resnet', answer('cat', 9)], ['resnet-int8', answer('cat', 4)], ['mobilenet', answer('Egyptian cat', 6)]])
    expect(summary.fastestId).toBe('resnet-int8')
    expect(summary.agreement[0]).toEqual({ label: 'cat', modelIds: ['resnet', 'resnet-int8'] })
  })

  it('names no fastest model with a single answer', () => {
    expect(summarizeComparison([['resnet', answer('cat', 9)]]).fastestId).toBeUndefined()
  })
})

describe('effectiveModel', () => {
  const models: ModelInfo[] = [
    { id: 'resnet', version: '2.0.0', status: 'down' },
    { id: 'mobilenet', version: '1.0.0', status: 'ready' },
    { id: 'resnet-int8', version: '2.0.0', status: 'ready' }
  ]

  it('keeps the stored choice while it can serve', () => {
    expect(effectiveModel(models, 'resnet-int8')?.id).toBe('resnet-int8')
  })

  it('never picks a model that is down, even when it was the stored choice', () => {
    expect(effectiveModel(models, 'resnet')?.id).toBe('mobilenet')
    expect(effectiveModel(models.map((m) => ({ ...m, status: 'down' as const })), 'mobilenet')).toBeUndefined()
  })
})

describe('routeOf', () => {
  it('maps /ops (with or without a trailing slash) to the ops page and everything else to classify', () => {
    expect(['/ops', '/ops/', '/', '/x'].map(routeOf)).toEqual(['ops', 'ops', 'classify', 'classify'])
  })
})

describe('shadowSentence', () => {
  const shadow = (over: Partial<ShadowOps> = {}): ShadowOps => ({
    target: 'resnet-int8',
    percent: 20,
    sampled: 1210,
    compared: 1204,
    skipped: 6,
    failed: 0,
    top1Agreement: 0.98671,
    top5Overlap: 0.91,
    meanAbsTop1ProbabilityDelta: 0.02,
    latencyMs: { primary: { p50: 46, p95: 80 }, shadow: { p50: 20, p95: 31 } },
    ...over
  })

  it('says in one line how often the shadow agrees and how fast it is', () => {
    expect(shadowSentence(shadow({ skipped: 0 }))).toBe('shadow → resnet-int8 (20 %): agrees on 98.7 % of 1,204 images; 2.3× faster at p50')
    expect(shadowSentence(shadow({ top1Agreement: 1, latencyMs: { primary: { p50: 20, p95: 30 }, shadow: { p50: 50, p95: 60 } } })))
      .toBe('shadow → resnet-int8 (20 %): agrees on 100 % of 1,204 images; 2.5× slower at p50; 6 skipped')
    expect(shadowSentence(shadow({ compared: 1, latencyMs: { primary: { p50: 20, p95: 30 }, shadow: { p50: 20.5, p95: 30 } } }))).toMatch(/of 1 image; as fast at p50/)
  })

  it('says so when nothing could be compared', () => {
    expect(shadowSentence(shadow({ sampled: 3, compared: 0, failed: 3, skipped: 0, top1Agreement: null, latencyMs: { primary: { p50: null, p95: null }, shadow: { p50: null, p95: null } } })))
      .toBe('shadow → resnet-int8 (20 %): nothing compared yet; 3 failed')
  })
})
