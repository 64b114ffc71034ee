// The routing table: which models exist, their versions and replicas, and each replica's health.
// Plain logic with no Fastify, so the canary and reload features extend it and tests drive it directly.
import { EventEmitter } from 'node:events'
import type { ModelUpstream, Track, UpstreamsFile } from '../config.ts'
import type { ModelMetadata } from './metadata.ts'

export type ReplicaState = 'unknown' | 'up' | 'down'
export type TrackName = 'stable' | 'canary'

export interface ReplicaHealth {
  url: string
  state: ReplicaState
  /** When the state last changed (ms since epoch). */
  since: number
  /** Why it is down. */
  reason?: string
}

/** Where one request goes. */
export interface RouteTarget {
  modelId: string
  track: TrackName
  version: string
  replica: string
}

export interface ReplicaChange {
  url: string
  state: ReplicaState
  previous: ReplicaState
  reason?: string
}

interface TrackEntry {
  version: string
  replicas: string[]
  weight: number
  next: number
}

interface ModelEntry {
  id: string
  stable: TrackEntry
  canary?: TrackEntry
}

/** `http://h:1/` → `http://h:1` */
export function replicaOrigin (url: string): string {
  return new URL(url).origin
}

function trackEntry (track: Track, weight: number): TrackEntry {
  return { version: track.version, replicas: [...new Set(track.replicas.map(replicaOrigin))], weight, next: 0 }
}

function modelEntry (id: string, upstream: ModelUpstream): ModelEntry {
  const entry: ModelEntry = { id, stable: trackEntry(upstream.stable, 100) }
  if (upstream.canary !== undefined) entry.canary = trackEntry(upstream.canary, upstream.canary.weight)
  return entry
}

/** Emits 'change' (ReplicaChange) when a replica's state changes. */
export class UpstreamRegistry extends EventEmitter<{ change: [ReplicaChange] }> {
  #models = new Map<string, ModelEntry>()
  #health = new Map<string, ReplicaHealth>()
  #metadata = new Map<string, ModelMetadata>()
  #now: () => number

  constructor (file: UpstreamsFile, now: () => number = Date.now) {
    super()
    this.#now = now
    this.update(file)
  }

  /** Replaces the routing table; replicas that stay keep their health, new ones start unknown. */
  update (file: UpstreamsFile): void {
    this.#models = new Map(Object.entries(file.models).map(([id, upstream]) => [id, modelEntry(id, upstream)]))
    const urls = new Set(this.replicaUrls())
    for (const url of this.#health.keys()) {
      if (!urls.has(url)) {
        this.#health.delete(url)
        this.#metadata.delete(url)
      }
    }
    for (const url of urls) {
      if (!this.#health.has(url)) this.#health.set(url, { url, state: 'unknown', since: this.#now() })
    }
  }

  ids (): string[] {
    return [...this.#models.keys()]
  }

  has (id: string): boolean {
    return this.#models.has(id)
  }

  /** Every distinct replica origin, for the health checker. */
  replicaUrls (): string[] {
    const urls = new Set<string>()
    for (const model of this.#models.values()) {
      for (const url of model.stable.replicas) urls.add(url)
      for (const url of model.canary?.replicas ?? []) urls.add(url)
    }
    return [...urls]
  }

  health (url: string): ReplicaHealth | undefined {
    return this.#health.get(url)
  }

  /** The declared version of a model's track. */
  version (id: string, track: TrackName = 'stable'): string | undefined {
    const model = this.#models.get(id)
    return track === 'stable' ? model?.stable.version : model?.canary?.version
  }

  /** Replicas of a model's track with their health. */
  replicas (id: string, track: TrackName = 'stable'): ReplicaHealth[] {
    const model = this.#models.get(id)
    const entry = track === 'stable' ? model?.stable : model?.canary
    return (entry?.replicas ?? []).map((url) => this.#health.get(url) ?? { url, state: 'unknown', since: 0 })
  }

  /** 'ready' when a stable replica is up (or not yet checked), else 'down'. */
  status (id: string): 'ready' | 'down' {
    return this.replicas(id).some((r) => r.state !== 'down') ? 'ready' : 'down'
  }

  /**
   * The replica for the next request to a model, round robin over the healthy ones (over the
   * not-yet-checked ones while none is known healthy); undefined when every replica is down.
   * Only the stable track is chosen here; canary routing chooses `track` before calling.
   */
  pick (id: string, track: TrackName = 'stable'): RouteTarget | undefined {
    const model = this.#models.get(id)
    const entry = track === 'stable' ? model?.stable : model?.canary
    if (entry === undefined) return undefined
    const up = entry.replicas.filter((url) => this.#health.get(url)?.state === 'up')
    const candidates = up.length > 0 ? up : entry.replicas.filter((url) => this.#health.get(url)?.state === 'unknown')
    if (candidates.length === 0) return undefined
    const replica = candidates[entry.next++ % candidates.length] as string
    if (entry.next >= Number.MAX_SAFE_INTEGER) entry.next = 0
    return { modelId: id, track, version: entry.version, replica }
  }

  setState (url: string, state: ReplicaState, reason?: string): void {
    const current = this.#health.get(url)
    if (current === undefined || current.state === state) return
    const next: ReplicaHealth = { url, state, since: this.#now(), ...(reason === undefined ? {} : { reason }) }
    this.#health.set(url, next)
    this.emit('change', { url, state, previous: current.state, ...(reason === undefined ? {} : { reason }) })
  }

  setMetadata (url: string, metadata: ModelMetadata): void {
    if (this.#health.has(url)) this.#metadata.set(url, metadata)
  }

  /** What the model's services said about it (/metadata), from an up replica if possible. */
  metadata (id: string, track: TrackName = 'stable'): ModelMetadata | undefined {
    const replicas = this.replicas(id, track)
    const ordered = [...replicas.filter((r) => r.state === 'up'), ...replicas.filter((r) => r.state !== 'up')]
    for (const replica of ordered) {
      const found = this.#metadata.get(replica.url)
      if (found !== undefined) return found
    }
    return undefined
  }
}
