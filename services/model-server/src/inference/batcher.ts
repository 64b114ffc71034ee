import { Overloaded } from '../errors.ts'

export interface BatcherOptions<I, O> {
  /** Most items in one call of `run` (1 turns batching off). */
  maxBatch: number
  /** How long the first item of a batch waits for company (ms). */
  maxWaitMs: number
  /** Most items waiting; past it, `submit` refuses with OVERLOADED at once. */
  maxQueue: number
  run: (items: I[]) => Promise<O[]>
  /**
   * How many more items are on their way (e.g. requests still decoding). When none are, waiting
   * for company only adds latency, so a batch starts at once.
   */
  upcoming?: (() => number) | undefined
  /** Told the size of every batch. */
  onBatch?: ((size: number) => void) | undefined
}

interface Pending<I, O> {
  item: I
  enqueuedAt: number
  resolve: (value: O) => void
  reject: (reason: unknown) => void
}

export interface Batcher<I, O> {
  submit: (item: I) => Promise<O>
  depth: () => number
}

/**
 * Dynamic micro-batching: requests that arrive together go through one `run` call. One batch runs
 * at a time; the queue is bounded, so memory is too.
 */
export function createBatcher<I, O> (opts: BatcherOptions<I, O>): Batcher<I, O> {
  const queue: Array<Pending<I, O>> = []
  let running = false
  let timer: NodeJS.Timeout | undefined

  function schedule (): void {
    if (running || queue.length === 0 || timer !== undefined) return
    // The oldest item's wait counts from when it arrived, including time spent behind a running batch.
    const remainingMs = opts.maxWaitMs - (performance.now() - queue[0]!.enqueuedAt)
    if (queue.length >= opts.maxBatch || remainingMs <= 0 || opts.upcoming?.() === 0) {
      void drain()
      return
    }
    timer = setTimeout(() => {
      timer = undefined
      void drain()
    }, remainingMs)
  }

  async function drain (): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
    }
    running = true
    const batch = queue.splice(0, opts.maxBatch)
    opts.onBatch?.(batch.length)
    try {
      const results = await opts.run(batch.map((p) => p.item))
      batch.forEach((p, i) => p.resolve(results[i]!))
    } catch (err) {
      for (const p of batch) p.reject(err)
    } finally {
      running = false
      schedule()
    }
  }

  return {
    submit (item) {
      if (queue.length >= opts.maxQueue) {
        return Promise.reject(new Overloaded(`The queue holds ${queue.length} images, its limit; try again shortly.`, { headers: { 'retry-after': '1' } }))
      }
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, enqueuedAt: performance.now(), resolve, reject })
        schedule()
      })
    },
    depth: () => queue.length
  }
}
