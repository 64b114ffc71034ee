// Counters and histograms for the per-request path. prom-client checks and hashes a series' labels on
// every inc and observe, even through a child of `labels()`: with two counters and three histograms
// per proxied request that was a twentieth of the gateway's CPU. Here a series is found once by its
// label values and counted in plain numbers; prom-client's registry reads them, in the shape of its own
// metrics, only when /metrics is scraped (and sums them across a gateway's workers the same way).
import type { Metric, Registry } from 'prom-client'

interface Options<L extends string> {
  name: string
  help: string
  labelNames: readonly L[]
  registers: Registry[]
}

interface Sample { labels: Record<string, string>, value: number, metricName?: string }

abstract class PlainMetric<L extends string, S> {
  // What prom-client's registry reads from a metric.
  readonly name: string
  readonly help: string
  readonly aggregator = 'sum'
  abstract readonly type: 'counter' | 'histogram'
  readonly #labelNames: readonly L[]
  // The series by their label values, a level per label (no key string to build per request).
  readonly #tree = new Map<string, unknown>()
  protected readonly made: Array<{ labels: Record<string, string>, series: S }> = []

  constructor (opts: Options<L>) {
    this.name = opts.name
    this.help = opts.help
    this.#labelNames = opts.labelNames
    for (const registry of opts.registers) registry.registerMetric(this as unknown as Metric)
  }

  /** The series for these label values, in `labelNames`' order; made on first use. For bounded label sets. */
  series (values: readonly string[]): S {
    let level = this.#tree
    const last = values.length - 1
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]!) as Map<string, unknown> | undefined
      if (next === undefined) {
        next = new Map()
        level.set(values[i]!, next)
      }
      level = next
    }
    let series = level.get(values[last]!) as S | undefined
    if (series === undefined) {
      if (values.length !== this.#labelNames.length) throw new Error(`${this.name} has the labels ${this.#labelNames.join(', ')}`)
      series = this.create()
      level.set(values[last]!, series)
      this.made.push({ labels: Object.fromEntries(this.#labelNames.map((name, i) => [name, values[i]!])), series })
    }
    return series
  }

  protected abstract create (): S
  protected abstract samples (): Sample[]
  /** Zeroes every series (prom-client's Registry.resetMetrics); callers' series stay valid. */
  abstract reset (): void

  async get (): Promise<{ name: string, help: string, type: string, aggregator: string, values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() }
  }
}

export class CounterSeries {
  value = 0
  inc (): void { this.value++ }
}

/** A counter whose series are plain numbers (see above). */
export class PlainCounter<L extends string> extends PlainMetric<L, CounterSeries> {
  readonly type = 'counter'
  protected create (): CounterSeries { return new CounterSeries() }
  protected samples (): Sample[] { return this.made.map(({ labels, series }) => ({ labels, value: series.value })) }
  reset (): void { for (const { series } of this.made) series.value = 0 }
}

export class HistogramSeries {
  sum = 0
  count = 0
  readonly counts: Float64Array
  readonly #bounds: readonly number[]

  constructor (bounds: readonly number[]) {
    this.#bounds = bounds
    this.counts = new Float64Array(bounds.length)
  }

  observe (value: number): void {
    this.sum += value
    this.count++
    const bounds = this.#bounds
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++
        return
      }
    }
  }
}

/** A histogram whose series are plain numbers (see above), with prom-client's _bucket, _sum and _count. */
export class PlainHistogram<L extends string> extends PlainMetric<L, HistogramSeries> {
  readonly type = 'histogram'
  readonly #buckets: readonly number[]

  constructor (opts: Options<L> & { buckets: readonly number[] }) {
    super(opts)
    this.#buckets = [...opts.buckets].sort((a, b) => a - b)
  }

  protected create (): HistogramSeries { return new HistogramSeries(this.#buckets) }

  protected samples (): Sample[] {
    const bucket = `${this.name}_bucket`
    return this.made.flatMap(({ labels, series }) => {
      let cumulative = 0
      return [
        ...this.#buckets.map((le, i) => {
          cumulative += series.counts[i]!
          return { labels: { ...labels, le: String(le) }, value: cumulative, metricName: bucket }
        }),
        { labels: { ...labels, le: '+Inf' }, value: series.count, metricName: bucket },
        { labels, value: series.sum, metricName: `${this.name}_sum` },
        { labels, value: series.count, metricName: `${this.name}_count` }
      ]
    })
  }

  reset (): void {
    for (const { series } of this.made) {
      series.sum = 0
      series.count = 0
      series.counts.fill(0)
    }
  }
}
