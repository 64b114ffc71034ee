// Counts requests per key, model and UTC day in memory and adds them to the key store in batches,
// so accounting costs one write per second instead of one per request.
import type { KeyStore, UsageRow } from './key-store.ts'

const DAY_MS = 86_400_000

export interface UsageRecorderOptions {
  store: KeyStore
  flushMs: number
  now?: () => number
  onError?: (err: unknown) => void
}

export interface UsageRecorder {
  count: (keyId: string, modelId: string) => void
  /** Writes what was counted; counts that fail to write are kept for the next flush. */
  flush: () => Promise<void>
  start: () => void
  /** Stops the timer and writes what is left. */
  stop: () => Promise<void>
}

export function createUsageRecorder (opts: UsageRecorderOptions): UsageRecorder {
  const now = opts.now ?? Date.now
  let pending = new Map<string, UsageRow>()
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()

  function add (row: UsageRow): void {
    const id = `${row.keyId}\n${row.modelId}\n${row.day}`
    const current = pending.get(id)
    if (current === undefined) pending.set(id, { ...row })
    else current.requests += row.requests
  }

  async function write (): Promise<void> {
    if (pending.size === 0) return
    const rows = [...pending.values()]
    pending = new Map()
    try {
      await opts.store.addUsage(rows)
    } catch (err) {
      for (const row of rows) add(row)
      opts.onError?.(err)
    }
  }

  // The UTC day, formatted once per day rather than per request.
  let day = ''
  let dayEnds = -Infinity
  let dayStarts = Infinity
  function today (): string {
    const t = now()
    if (t < dayStarts || t >= dayEnds) {
      dayStarts = t - (t % DAY_MS)
      dayEnds = dayStarts + DAY_MS
      day = new Date(t).toISOString().slice(0, 10)
    }
    return day
  }

  return {
    count (keyId, modelId) {
      add({ keyId, modelId, day: today(), requests: 1 })
    },
    flush () {
      flushing = flushing.then(write)
      return flushing
    },
    start () {
      timer = setInterval(() => { void this.flush() }, opts.flushMs)
      timer.unref()
    },
    async stop () {
      if (timer !== undefined) clearInterval(timer)
      await this.flush()
    }
  }
}
