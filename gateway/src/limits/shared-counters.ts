// Fixed-window request counters, as @fastify/rate-limit's own in-memory store keeps them, held by the
// primary process for every gateway worker: each count is one, whichever worker asked.

/**
 * How many keys (principals, addresses) are counted at once, in a process's own store and in the
 * primary's: past it, the least recently counted key is forgotten, so that requests from ever new
 * addresses cannot grow the counters without bound within a window.
 */
export const MAX_LIMIT_KEYS = 50_000

export class FixedWindowCounters {
  #windows = new Map<string, { current: number, resetAt: number }>()
  #now: () => number
  #maxKeys: number

  constructor (now: () => number = Date.now, maxKeys = MAX_LIMIT_KEYS) {
    this.#now = now
    this.#maxKeys = maxKeys
  }

  incr (key: string, windowMs: number): { current: number, ttl: number } {
    const now = this.#now()
    let window = this.#windows.get(key)
    // Taken out and put back: a Map keeps insertion order, so its first key is the least recently counted.
    if (window !== undefined) this.#windows.delete(key)
    if (window === undefined || window.resetAt <= now) window = { current: 0, resetAt: now + windowMs }
    this.#windows.set(key, window)
    if (this.#windows.size > this.#maxKeys) this.#windows.delete(this.#windows.keys().next().value!)
    window.current++
    return { current: window.current, ttl: window.resetAt - now }
  }

  /** Forgets the windows that are over; returns how many are left. */
  sweep (): number {
    const now = this.#now()
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key)
    return this.#windows.size
  }
}
