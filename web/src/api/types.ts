// The gateway's answers as the page uses them (contracts in docs/web.md).

export interface ModelInfo {
  id: string
  /** Absent until a replica has answered the gateway once. */
  name?: string
  version: string
  classes?: number
  input?: { width: number, height: number }
  status: 'ready' | 'down'
}

export interface Prediction {
  label: string
  index: number
  probability: number
}

export interface Timing {
  fetchMs?: number
  decodeMs?: number
  preprocessMs?: number
  queueMs?: number
  inferenceMs?: number
  totalMs?: number
}

export interface PredictResult {
  model: { id: string, name: string, version: string }
  predictions: Prediction[]
  timing: Timing
  /** The gateway's x-model-version header: the version that actually answered. */
  servedVersion?: string
  /** Time from sending the request to reading the answer, measured in the browser. */
  roundTripMs: number
}

/** What to classify: a file (dropped, picked or pasted) or an image URL the service fetches. */
export type ImageSource = { kind: 'file', file: Blob, name: string } | { kind: 'url', url: string }

export interface Replica {
  url: string
  healthy: boolean
}

export interface SeriesPoint {
  /** Start of a 10 s bucket, epoch seconds. */
  t: number
  requests: number
  errors: number
  rateLimited: number
  p95Ms: number | null
}

export interface ModelOps {
  id: string
  requestsPerSecond: number
  latencyMs: { p50: number | null, p95: number | null, p99: number | null }
  errorRate: number
  rateLimited: number
  requests: number
  stable: { version: string, replicas: Replica[] }
  canary: { version: string, weight: number, replicas: Replica[] } | null
  series: SeriesPoint[]
}

export interface OpsSummary {
  windowSeconds: number
  generatedAt: string
  models: ModelOps[]
}
