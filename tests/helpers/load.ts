// A bounded load for fault tests: workers (or, open loop, a schedule) send requests until stopped, a
// deadline passes or a count is reached, and every outcome is kept with its timing.
import { photo } from './reference.ts'

export interface Outcome {
  target: string
  /** HTTP status, or 0 when no response came (connection refused or reset). */
  status: number
  code?: string | undefined
  error?: string | undefined
  startedAt: number
  endedAt: number
}

export interface Load {
  outcomes: Outcome[]
  /** Stops the workers and resolves once the requests in flight have ended. */
  stop: () => Promise<Outcome[]>
  /** Resolves once `n` more requests have ended. */
  waitFor: (n: number) => Promise<void>
}

export interface LoadOptions {
  /** target name → URL to POST the photo to */
  targets: Record<string, string>
  headers: Record<string, string>
  /** Workers per target, each sending its next request when the last is answered. */
  concurrency?: number
  /** Instead of workers, open loop: this many requests per second per target, started on schedule whatever the answers. */
  ratePerSecond?: number
  /** Hard bounds: the load stops by itself after this long or this many requests. */
  maxSeconds?: number
  maxRequests?: number
  image?: string
  /** The body to send instead of a photo by name. */
  body?: Buffer
}

export function startLoad (opts: LoadOptions): Load {
  const outcomes: Outcome[] = []
  const body = opts.body ?? photo(opts.image ?? 'cat_720p.jpg')
  const deadline = Date.now() + (opts.maxSeconds ?? 30) * 1000
  const maxRequests = opts.maxRequests ?? 5000
  const state = { stopped: false }
  let sent = 0
  const waiters: Array<{ count: number, resolve: () => void }> = []

  async function once (target: string, url: string): Promise<void> {
    const startedAt = Date.now()
    let outcome: Outcome
    try {
      const res = await fetch(url, { method: 'POST', headers: { ...opts.headers, 'content-type': 'image/jpeg' }, body, signal: AbortSignal.timeout(60_000) })
      const text = await res.text()
      let code: string | undefined
      if (res.status !== 200) {
        try { code = (JSON.parse(text) as { code?: string }).code } catch {}
      }
      outcome = { target, status: res.status, code, startedAt, endedAt: Date.now() }
    } catch (err) {
      outcome = { target, status: 0, error: String((err as Error).cause ?? err), startedAt, endedAt: Date.now() }
    }
    outcomes.push(outcome)
    for (const w of waiters.filter((w) => outcomes.length >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
  }

  const running = (): boolean => !state.stopped && Date.now() < deadline && sent < maxRequests
  const workers = opts.ratePerSecond === undefined
    ? Object.entries(opts.targets).flatMap(([target, url]) => Array.from({ length: opts.concurrency ?? 1 }, async () => {
      while (running()) {
        sent++
        await once(target, url)
      }
    }))
    : [(async (interval: number) => {
        const started: Array<Promise<void>> = []
        for (let next = Date.now(); running(); next += interval) {
          for (const [target, url] of Object.entries(opts.targets)) {
            sent++
            started.push(once(target, url))
          }
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, next + interval - Date.now())))
        }
        await Promise.all(started)
      })(1000 / opts.ratePerSecond)]
  const done = Promise.all(workers).then(() => {
    for (const w of waiters.splice(0)) w.resolve()
  })

  return {
    outcomes,
    stop: async () => {
      state.stopped = true
      await done
      return outcomes
    },
    waitFor: async (n) => {
      if (state.stopped) return
      await new Promise<void>((resolve) => waiters.push({ count: outcomes.length + n, resolve }))
    }
  }
}
