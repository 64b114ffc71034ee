// What a gateway worker asks its primary over node:cluster's IPC channel: rate-limit counts shared
// by every worker, and every worker's metrics and ops windows (GET /metrics, GET /ops/summary). Each
// question carries an id the answer repeats.
import type { OpsSnapshot } from '../ops/ops-window.ts'
import type { ShadowSnapshot } from '../shadow/shadow-window.ts'

/** One worker's ops and shadow windows. */
export interface WorkerWindows { ops: OpsSnapshot, shadows: ShadowSnapshot }

export type Question =
  /** Counts for several requests at once, [key, windowMs] each; answered with their results in order. */
  | { type: 'modelgate:ask', id: number, what: 'incr', counts: Array<[string, number]> }
  | { type: 'modelgate:ask', id: number, what: 'metrics' | 'windows' }
export interface Answer { type: 'modelgate:answer', id: number, result?: unknown, error?: string }
/** The primary asking a worker for its windows, and the worker's answer. */
export interface WindowsRequest { type: 'modelgate:windows', id: number }
export interface WindowsAnswer { type: 'modelgate:windows-answer', id: number, windows: WorkerWindows }
/** A worker about to exit on an error tells the primary why (its last words for a crash loop). */
export interface Fatal { type: 'modelgate:fatal', message: string }
/** The primary telling a worker to drain and exit. */
export interface Shutdown { type: 'modelgate:shutdown' }

/** A rate-limit count: requests so far in the window, and ms until it ends. */
export interface CountResult { current: number, ttl: number }

export interface PrimaryLink {
  /** Counts a request against a fixed window shared by every worker. */
  incr: (key: string, windowMs: number) => Promise<CountResult>
  /** Every worker's metrics, summed, in Prometheus text format. */
  metrics: () => Promise<string>
  /** Every worker's windows, this one's included. */
  windows: () => Promise<WorkerWindows[]>
  /** Answers the primary's requests for this worker's windows. */
  serveWindows: (read: () => WorkerWindows) => void
}

/** Whether an IPC message is one of ours of this type (node:cluster sends messages of its own too). */
export const isType = <T extends { type: string }>(message: unknown, type: T['type']): message is T =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type

/** The link of a process forked by node:cluster (process.send exists). */
export function connectToPrimary (timeoutMs = 5000): PrimaryLink {
  const channel = process.send?.bind(process)
  if (channel === undefined) throw new Error('not a cluster worker: no IPC channel')
  const send = (message: object): void => { channel(message) }
  let next = 0
  const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void, timer: NodeJS.Timeout }>()
  process.on('message', (message: unknown) => {
    if (!isType<Answer>(message, 'modelgate:answer')) return
    const waiting = pending.get(message.id)
    if (waiting === undefined) return
    pending.delete(message.id)
    clearTimeout(waiting.timer)
    if (message.error === undefined) waiting.resolve(message.result)
    else waiting.reject(new Error(message.error))
  })

  async function ask<T> (question: Record<string, unknown>): Promise<T> {
    const id = next++
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`the gateway's primary process did not answer within ${timeoutMs} ms`))
      }, timeoutMs)
      timer.unref()
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      send({ type: 'modelgate:ask', id, ...question })
    })
  }

  // The counts asked for in one turn of the event loop go to the primary together, in one message
  // each way, rather than a message, a timer and a JSON parse each: under load, a turn reads many requests.
  type Count = { key: string, windowMs: number, resolve: (result: CountResult) => void, reject: (err: unknown) => void }
  let waiting: Count[] = []
  function askForCounts (): void {
    const counts = waiting
    waiting = []
    ask<CountResult[]>({ what: 'incr', counts: counts.map((c) => [c.key, c.windowMs]) }).then(
      (results) => { counts.forEach((c, i) => { c.resolve(results[i]!) }) },
      (err: unknown) => { for (const c of counts) c.reject(err) }
    )
  }

  return {
    incr: async (key, windowMs) => await new Promise<CountResult>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(askForCounts)
      waiting.push({ key, windowMs, resolve, reject })
    }),
    metrics: async () => await ask({ what: 'metrics' }),
    windows: async () => await ask({ what: 'windows' }),
    serveWindows (read) {
      process.on('message', (message: unknown) => {
        if (!isType<WindowsRequest>(message, 'modelgate:windows')) return
        send({ type: 'modelgate:windows-answer', id: message.id, windows: read() } satisfies WindowsAnswer)
      })
    }
  }
}

/** Tells the primary, if there is one, why this worker is about to exit; resolves once sent. */
export async function reportFatal (message: string): Promise<void> {
  const send = process.send?.bind(process)
  if (send === undefined) return
  await new Promise<void>((resolve) => { send({ type: 'modelgate:fatal', message } satisfies Fatal, undefined, {}, () => { resolve() }) })
}
