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

/** Where a model's shadow traffic goes: another model, or a candidate version's own replicas. */
type ShadowEntry = { percent: number, model: string } | { percent: number, track: TrackEntry }

/** One mirrored request's destination. */
export interface ShadowTarget {
  /** The shadow as the summary names it: the other model's id, or `<id>@<version>`. */
  label: string
  modelId: string
  version: string
  replica: string
}

interface ModelEntry {
  id: string
  stable: TrackEntry
  canary?: TrackEntry
  shadow?: ShadowEntry
  /** The model's part of the file, to tell on reload whether it changed. */
  source: string
}

export interface PickOptions {
  /** Only replicas a health check found up: a canary gets no traffic before it is known ready. */
  upOnly?: boolean
}

/** What `pick` answers when a track has replicas that could serve, each at its in-flight limit. */
export const SATURATED = 'saturated'

export interface RegistryOptions {
  now?: () => number
  /** Requests in flight on one replica at most (the circuit breaker); past it, pick another or refuse. */
  maxInFlight?: number
  /** Consecutive failed answers (5xx other than 503, or timeouts) that eject a replica from rotation. */
  ejectAfter?: number
  /** A first ejection's length; each further one in a row adds as much, up to ten times it. */
  ejectMs?: number
}

/** A replica's run of failed answers and its ejections (outlier detection, as in Envoy). */
interface Outlier {
  consecutive: number
  /** Ejections in a row: each one lasts longer. */
  ejections: number
  /** Out of rotation until then (ms since epoch); health checks bring it back after. */
  until: number
}

/** `http://h:1/` → `http://h:1` */
export function replicaOrigin (url: string): string {
  return new URL(url).origin
}

function trackEntry (track: Track, weight: number): TrackEntry {
  return { version: track.version, replicas: [...new Set(track.replicas.map(replicaOrigin))], weight, next: 0 }
}

function modelEntry (id: string, upstream: ModelUpstream): ModelEntry {
  const entry: ModelEntry = { id, stable: trackEntry(upstream.stable, 100), source: JSON.stringify(upstream) }
  if (upstream.canary !== undefined) entry.canary = trackEntry(upstream.canary, upstream.canary.weight)
  const shadow = upstream.shadow
  if (shadow?.model !== undefined) entry.shadow = { percent: shadow.percent, model: shadow.model }
  else if (shadow?.version !== undefined && shadow.replicas !== undefined) entry.shadow = { percent: shadow.percent, track: trackEntry({ version: shadow.version, replicas: shadow.replicas }, 0) }
  return entry
}

/** Emits 'change' (ReplicaChange) when a replica's state changes, and 'eject' (the request that ejected it) on an ejection. */
export class UpstreamRegistry extends EventEmitter<{ change: [ReplicaChange], eject: [RouteTarget] }> {
  #models = new Map<string, ModelEntry>()
  #health = new Map<string, ReplicaHealth>()
  #metadata = new Map<string, ModelMetadata>()
  #inFlight = new Map<string, number>()
  #outliers = new Map<string, Outlier>()
  #now: () => number
  #maxInFlight: number
  #ejectAfter: number
  #ejectMs: number

  constructor (file: UpstreamsFile, opts: RegistryOptions = {}) {
    super()
    this.#now = opts.now ?? Date.now
    this.#maxInFlight = opts.maxInFlight ?? Infinity
    this.#ejectAfter = opts.ejectAfter ?? 5
    this.#ejectMs = opts.ejectMs ?? 30_000
    this.update(file)
  }

  /**
   * Replaces the routing table and returns the ids of the models that changed (added, removed or
   * edited). A model whose entry is unchanged keeps its state (round robin position); replicas that
   * stay keep their health, new ones start unknown. Requests already routed are not touched.
   */
  update (file: UpstreamsFile): string[] {
    const previous = this.#models
    const changed = [...previous.keys()].filter((id) => file.models[id] === undefined)
    this.#models = new Map(Object.entries(file.models).map(([id, upstream]) => {
      const old = previous.get(id)
      if (old !== undefined && old.source === JSON.stringify(upstream)) return [id, old]
      changed.push(id)
      return [id, modelEntry(id, upstream)]
    }))
    const urls = new Set(this.replicaUrls())
    for (const url of this.#health.keys()) {
      if (!urls.has(url)) {
        this.#health.delete(url)
        this.#metadata.delete(url)
        this.#outliers.delete(url)
      }
    }
    for (const url of urls) {
      if (!this.#health.has(url)) this.#health.set(url, { url, state: 'unknown', since: this.#now() })
    }
    return changed
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
      if (model.shadow !== undefined && 'track' in model.shadow) for (const url of model.shadow.track.replicas) urls.add(url)
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

  /** The canary's version and share of traffic in percent, if the model has one. */
  canary (id: string): { version: string, weight: number } | undefined {
    const canary = this.#models.get(id)?.canary
    return canary === undefined ? undefined : { version: canary.version, weight: canary.weight }
  }

  /** A model's shadow: the summary's name for it and the share of predict traffic mirrored there. */
  shadow (id: string): { label: string, percent: number } | undefined {
    const shadow = this.#models.get(id)?.shadow
    if (shadow === undefined) return undefined
    return { label: 'model' in shadow ? shadow.model : `${id}@${shadow.track.version}`, percent: shadow.percent }
  }

  /** The replica the next mirrored request of a model goes to; undefined when none is up. */
  pickShadow (id: string): ShadowTarget | undefined {
    const shadow = this.#models.get(id)?.shadow
    if (shadow === undefined) return undefined
    if ('model' in shadow) {
      const target = this.pick(shadow.model, 'stable', { upOnly: true })
      return target === undefined || target === SATURATED ? undefined : { label: shadow.model, modelId: shadow.model, version: target.version, replica: target.replica }
    }
    const replica = this.#choose(shadow.track, true)
    if (replica === undefined || replica === SATURATED) return undefined
    return { label: `${id}@${shadow.track.version}`, modelId: id, version: shadow.track.version, replica }
  }

  /** The versions a request may pin, stable first. */
  versions (id: string): Array<{ track: TrackName, version: string }> {
    const model = this.#models.get(id)
    if (model === undefined) return []
    const versions: Array<{ track: TrackName, version: string }> = [{ track: 'stable', version: model.stable.version }]
    if (model.canary !== undefined) versions.push({ track: 'canary', version: model.canary.version })
    return versions
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
   * The replica of a model's track for the next request, round robin over the healthy ones (over the
   * not-yet-checked ones while none is known healthy, unless `upOnly`) that are under their in-flight
   * limit; undefined when none can serve, SATURATED when every one that could is at its limit. The
   * track is chosen by the caller (routing/choose-target.ts).
   */
  pick (id: string, track: TrackName = 'stable', opts: PickOptions = {}): RouteTarget | typeof SATURATED | undefined {
    const model = this.#models.get(id)
    const entry = track === 'stable' ? model?.stable : model?.canary
    if (entry === undefined) return undefined
    const replica = this.#choose(entry, opts.upOnly === true)
    if (replica === undefined || replica === SATURATED) return replica
    return { modelId: id, track, version: entry.version, replica }
  }

  /** The next replica of a track, as `pick` chooses it. */
  #choose (entry: TrackEntry, upOnly: boolean): string | typeof SATURATED | undefined {
    const up = entry.replicas.filter((url) => this.#health.get(url)?.state === 'up')
    const servable = up.length > 0 || upOnly ? up : entry.replicas.filter((url) => this.#health.get(url)?.state === 'unknown')
    if (servable.length === 0) return undefined
    const candidates = servable.filter((url) => (this.#inFlight.get(url) ?? 0) < this.#maxInFlight)
    if (candidates.length === 0) return SATURATED
    const replica = candidates[entry.next++ % candidates.length]!
    if (entry.next >= Number.MAX_SAFE_INTEGER) entry.next = 0
    return replica
  }

  /** A request was sent to the replica: it counts against the replica's in-flight limit until `release`. */
  acquire (url: string): void {
    this.#inFlight.set(url, (this.#inFlight.get(url) ?? 0) + 1)
  }

  release (url: string): void {
    const count = (this.#inFlight.get(url) ?? 0) - 1
    if (count > 0) this.#inFlight.set(url, count)
    else this.#inFlight.delete(url)
  }

  inFlight (url: string): number {
    return this.#inFlight.get(url) ?? 0
  }

  /**
   * A proxied request's outcome at a replica: `failed` for a 5xx answer other than 503 (an overloaded
   * service sheds load; that is no fault) or a timeout. `ejectAfter` failures in a row take the replica
   * out of rotation, unless it is the last one up of the request's version.
   */
  recordOutcome (target: RouteTarget, failed: boolean): void {
    const url = target.replica
    const outlier = this.#outliers.get(url)
    if (!failed) {
      if (outlier === undefined) return
      outlier.consecutive = 0
      // Back for a whole first ejection's length without being ejected again: the next ejection is short again.
      if (this.#now() - outlier.until >= this.#ejectMs) this.#outliers.delete(url)
      return
    }
    const entry = outlier ?? { consecutive: 0, ejections: 0, until: 0 }
    this.#outliers.set(url, entry)
    if (++entry.consecutive < this.#ejectAfter) return
    const othersUp = this.replicas(target.modelId, target.track).some((r) => r.url !== url && r.state === 'up')
    if (!othersUp) return
    entry.consecutive = 0
    entry.ejections++
    const ms = Math.min(entry.ejections, 10) * this.#ejectMs
    entry.until = this.#now() + ms
    this.setState(url, 'down', `ejected for ${ms / 1000} s after ${this.#ejectAfter} failed answers in a row`)
    this.emit('eject', target)
  }

  /** Whether an ejection keeps the replica out of rotation now: health checks leave it down until then. */
  ejected (url: string): boolean {
    return (this.#outliers.get(url)?.until ?? 0) > this.#now()
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
