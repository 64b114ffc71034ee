// Fixed-window request counters, as @fastify/rate-limit's own in-memory store keeps them, held by the
// primary process for every gateway worker: each count is one, whichever worker asked.

export class FixedWindowCounters {
  #windows = new Map<string, { current: number, resetAt: number }>()
  #now: () => number

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  incr (key: string, windowMs: number): { current: number, ttl: number } {
    const now = this.#now()
    let window = this.#windows.get(key)
    if (window === undefined || window.resetAt <= now) {
      window = { current: 0, resetAt: now + windowMs }
      this.#windows.set(key, window)
    }
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
