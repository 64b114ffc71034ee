import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { PlainCounter, PlainHistogram } from '../src/index.ts'

const BUCKETS = [0.001, 0.01, 0.1, 1]
const OBSERVED: Array<[string, string, number]> = [['GET', '200', 0.0004], ['GET', '200', 0.05], ['GET', '200', 3], ['POST', '500', 0.01], ['GET', '200', 0.001]]

/** The exposition's samples, each line's labels sorted: prom-client orders `le` its own way. */
function samples (text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const [, name, labels, value] = /^(\w+)(?:\{(.*)\})? (.+)$/.exec(line)!
    return `${name}{${(labels ?? '').split(',').sort().join(',')}} ${value}`
  }).sort()
}

function registries (): { prom: Registry, plain: Registry } {
  const prom = new Registry()
  const plain = new Registry()
  for (const r of [prom, plain]) r.setDefaultLabels({ service: 'test' })
  return { prom, plain }
}

describe('plain counters and histograms', () => {
  it('expose exactly what prom-client\'s own metrics expose for the same observations', async () => {
    const { prom, plain } = registries()
    const labelNames = ['method', 'status'] as const
    const promCounter = new Counter({ name: 'requests_total', help: 'Requests', labelNames, registers: [prom] })
    const promHistogram = new Histogram({ name: 'latency_seconds', help: 'Latency', labelNames, buckets: BUCKETS, registers: [prom] })
    const counter = new PlainCounter({ name: 'requests_total', help: 'Requests', labelNames, registers: [plain] })
    const histogram = new PlainHistogram({ name: 'latency_seconds', help: 'Latency', labelNames, buckets: BUCKETS, registers: [plain] })
    for (const [method, status, seconds] of OBSERVED) {
      promCounter.inc({ method, status })
      promHistogram.observe({ method, status }, seconds)
      counter.series([method, status]).inc()
      histogram.series([method, status]).observe(seconds)
    }
    const [expected, actual] = [await prom.metrics(), await plain.metrics()]
    expect(samples(actual)).toEqual(samples(expected))
    expect(samples(actual)).toContain('latency_seconds_bucket{le="0.001",method="GET",service="test",status="200"} 2')
    // HELP and TYPE lines too, in the registry's order.
    expect(actual.split('\n').filter((l) => l.startsWith('#'))).toEqual(expected.split('\n').filter((l) => l.startsWith('#')))
  })

  it('sum across processes as prom-client\'s cluster aggregation sums its own', async () => {
    const workers = [registries(), registries()]
    for (const [i, { prom, plain }] of workers.entries()) {
      const promHistogram = new Histogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['status'], buckets: BUCKETS, registers: [prom] })
      const histogram = new PlainHistogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['status'], buckets: BUCKETS, registers: [plain] })
      for (const [, status, seconds] of OBSERVED.slice(i)) {
        promHistogram.observe({ status }, seconds)
        histogram.series([status]).observe(seconds)
      }
    }
    const sum = async (which: 'prom' | 'plain'): Promise<string> =>
      await AggregatorRegistry.aggregate(await Promise.all(workers.map(async (w) => await w[which].getMetricsAsJSON()))).metrics()
    expect(samples(await sum('plain'))).toEqual(samples(await sum('prom')))
    expect(samples(await sum('plain'))).toContain('latency_seconds_count{service="test",status="200"} 7')
  })

  it('keep handing out the same series after a reset, counting from zero', async () => {
    const { plain } = registries()
    const counter = new PlainCounter({ name: 'hits_total', help: 'Hits', labelNames: ['route'], registers: [plain] })
    const series = counter.series(['/a'])
    series.inc()
    plain.resetMetrics()
    series.inc()
    expect(counter.series(['/a'])).toBe(series)
    expect(samples(await plain.metrics())).toEqual(['hits_total{route="/a",service="test"} 1'])
  })

  it('refuse label values that do not match the label names', () => {
    const counter = new PlainCounter({ name: 'hits_total', help: 'Hits', labelNames: ['route', 'status'], registers: [] })
    expect(() => counter.series(['/a'])).toThrow(/route, status/)
  })
})
