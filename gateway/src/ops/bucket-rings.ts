// What the ops and shadow windows share: per model, a ring of fixed 10-second buckets over the last
// five minutes, reused in place, so memory stays bounded whatever the traffic.

export const BUCKET_SECONDS = 10
export const WINDOW_SECONDS = 300
/** Buckets in a window. */
export const SLOTS = WINDOW_SECONDS / BUCKET_SECONDS

/** Epoch seconds of the start of the bucket `ms` (ms since the epoch) falls in. */
export const bucketStart = (ms: number): number => Math.floor(ms / 1000 / BUCKET_SECONDS) * BUCKET_SECONDS
/** The start of the oldest bucket of the window that ends with the bucket `ms` falls in. */
export const windowStart = (ms: number): number => bucketStart(ms) - WINDOW_SECONDS + BUCKET_SECONDS

export class BucketRings<B extends { start: number }> {
  #rings = new Map<string, B[]>()

  /** `empty` makes an unused bucket (start -1); `clear` empties one for reuse, start aside. */
  constructor (private readonly empty: () => B, private readonly clear: (bucket: B) => void) {}

  /** A model's bucket starting at `start` (epoch seconds), emptied first if it held an older one. */
  at (modelId: string, start: number): B {
    let ring = this.#rings.get(modelId)
    if (ring === undefined) {
      ring = Array.from({ length: SLOTS }, this.empty)
      this.#rings.set(modelId, ring)
    }
    const bucket = ring[(start / BUCKET_SECONDS) % SLOTS]!
    if (bucket.start !== start) {
      this.clear(bucket)
      bucket.start = start
    }
    return bucket
  }

  /** A model's bucket starting at `start`, if it has one. */
  peek (modelId: string, start: number): B | undefined {
    const bucket = this.#rings.get(modelId)?.[(start / BUCKET_SECONDS) % SLOTS]
    return bucket?.start === start ? bucket : undefined
  }

  /** A model's used buckets, whatever their age. */
  of (modelId: string): B[] {
    return (this.#rings.get(modelId) ?? []).filter((b) => b.start >= 0)
  }

  /** Every model's used buckets, whatever their age. */
  * used (): Generator<[string, B[]]> {
    for (const [id, ring] of this.#rings) yield [id, ring.filter((b) => b.start >= 0)]
  }

  /** Forgets the models not in `modelIds`. */
  retain (modelIds: string[]): void {
    const keep = new Set(modelIds)
    for (const id of this.#rings.keys()) if (!keep.has(id)) this.#rings.delete(id)
  }
}
