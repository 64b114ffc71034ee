import { Histogram, type Registry, Gauge } from 'prom-client'

export type Stage = 'fetch' | 'decode' | 'preprocess' | 'queue' | 'inference'

export interface ServiceMetrics {
  observeStage: (stage: Stage, ms: number) => void
  observeBatch: (size: number) => void
}

/** The model service's own metrics, beside the kit's request counter and latency histogram. */
export function createServiceMetrics (registry: Registry, queueDepth: () => number): ServiceMetrics {
  const stages = new Histogram({
    name: 'model_stage_duration_seconds',
    help: 'Time spent per request in each stage: fetch, decode, preprocess, queue (waiting for a batch), inference',
    labelNames: ['stage'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry]
  })
  const batches = new Histogram({
    name: 'model_batch_size',
    help: 'Images per session.run call',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32, 64],
    registers: [registry]
  })
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'model_queue_depth',
    help: 'Images waiting for a batch',
    registers: [registry],
    collect () { this.set(queueDepth()) }
  })
  return {
    observeStage: (stage, ms) => stages.observe({ stage }, ms / 1000),
    observeBatch: (size) => batches.observe(size)
  }
}
