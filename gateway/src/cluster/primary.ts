// The gateway on several cores (GATEWAY_WORKERS > 1): this process forks the workers, which serve
// one port (node:cluster hands each new connection to one of them), and holds what they share: the
// rate-limit counters without REDIS_URL, and the sum of their metrics and ops windows. It serves no
// request itself. A worker that dies is replaced; workers that keep dying stop the gateway.
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'
import { AggregatorRegistry } from 'prom-client'
import { FixedWindowCounters } from '../limits/shared-counters.ts'
import { type Answer, type Fatal, type Question, type Shutdown, type WindowsAnswer, type WorkerWindows, isType } from './link.ts'

export interface PrimaryOptions {
  workers: number
  /** SHUTDOWN_GRACE_MS: how long a worker may take to drain after SIGTERM. */
  graceMs: number
  log: Logger
  /** Runs once every worker has exited (releases the data-folder lock). */
  onExit: () => Promise<void>
  /**
   * This many deaths within `withinMs`, or this many workers in a row that die before they listen,
   * however slowly, stop the gateway instead of another restart.
   */
  crashLoop?: { deaths: number, withinMs: number }
}

/** Forks the workers and runs until they have all exited after SIGTERM/SIGINT, or a crash loop. */
export function runPrimary (opts: PrimaryOptions): void {
  const { log } = opts
  const crashLoop = opts.crashLoop ?? { deaths: 5, withinMs: 10_000 }
  const counters = new FixedWindowCounters()
  setInterval(() => { counters.sweep() }, 60_000).unref()
  // Its constructor also makes prom-client listen for the workers' answers.
  const aggregator = new AggregatorRegistry()
  const lastWords = new Map<number, string>()
  const deaths: number[] = []
  // Workers that died before listening, since one last started: a start that fails (a wrong setting, a
  // store that does not answer) fails again, and on a loaded machine each may take longer than `withinMs`.
  const started = new Set<number>()
  let failedStarts = 0
  let stopping: { exitCode: number } | undefined
  let listening = 0

  const gathering = new Map<number, { pending: Set<number>, windows: WorkerWindows[], done: () => void }>()
  let nextGathering = 0
  /** Every connected worker's windows; a worker that does not answer within 2 s is left out. */
  async function gatherWindows (): Promise<WorkerWindows[]> {
    const id = nextGathering++
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true)
    const windows: WorkerWindows[] = []
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000)
      gathering.set(id, { pending: new Set(workers.map((w) => w.id)), windows, done: () => { clearTimeout(timer); resolve() } })
      for (const worker of workers) worker.send({ type: 'modelgate:windows', id })
      if (workers.length === 0) resolve()
    })
    gathering.delete(id)
    return windows
  }

  async function answer (worker: Worker, question: Question): Promise<void> {
    const reply: Answer = { type: 'modelgate:answer', id: question.id }
    try {
      if (question.what === 'incr') reply.result = question.counts.map(([key, windowMs]) => counters.incr(key, windowMs))
      else if (question.what === 'metrics') reply.result = await aggregator.clusterMetrics()
      else reply.result = await gatherWindows()
    } catch (err) {
      reply.error = (err as Error).message
    }
    if (worker.isConnected()) worker.send(reply)
  }

  cluster.on('message', (worker, message: unknown) => {
    if (isType<Question>(message, 'modelgate:ask')) void answer(worker, message)
    else if (isType<WindowsAnswer>(message, 'modelgate:windows-answer')) {
      const waiting = gathering.get(message.id)
      if (waiting === undefined || !waiting.pending.delete(worker.id)) return
      waiting.windows.push(message.windows)
      if (waiting.pending.size === 0) waiting.done()
    } else if (isType<Fatal>(message, 'modelgate:fatal')) lastWords.set(worker.id, message.message)
  })

  cluster.on('listening', (worker) => {
    started.add(worker.id)
    failedStarts = 0
    // Each worker's process id by its number (the `worker` field of its log lines).
    if (++listening === opts.workers) log.info({ workers: opts.workers, pids: Object.fromEntries(Object.values(cluster.workers ?? {}).map((w) => [w?.id, w?.process.pid])) }, 'gateway workers listening')
    else log.debug({ worker: worker.id, pid: worker.process.pid }, 'gateway worker listening')
  })

  cluster.on('exit', (worker, code, signal) => {
    const reason = lastWords.get(worker.id) ?? (signal === null ? `exit code ${code}` : `signal ${signal}`)
    lastWords.delete(worker.id)
    if (stopping !== undefined) {
      if (code !== 0) stopping.exitCode = 1
      if (Object.keys(cluster.workers ?? {}).length === 0) void finish(stopping.exitCode)
      return
    }
    if (!started.delete(worker.id)) failedStarts++
    const now = Date.now()
    deaths.push(now)
    while (deaths[0]! < now - crashLoop.withinMs) deaths.shift()
    if (failedStarts >= crashLoop.deaths || deaths.length >= crashLoop.deaths) {
      const message = failedStarts >= crashLoop.deaths
        ? `Gateway workers failed to start ${failedStarts} times in a row; stopping. The last one: ${reason}`
        : `Gateway workers died ${deaths.length} times in ${crashLoop.withinMs / 1000} s; stopping. The last one: ${reason}`
      log.error({ worker: worker.id, pid: worker.process.pid, code, signal, reason }, 'gateway workers keep dying, stopping')
      process.stderr.write(`${message}\n`)
      stop(1)
      return
    }
    log.warn({ worker: worker.id, pid: worker.process.pid, code, signal, reason }, 'gateway worker died, starting another')
    cluster.fork()
  })

  function stop (exitCode: number): void {
    if (stopping !== undefined) return
    stopping = { exitCode }
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
    if (workers.length === 0) {
      void finish(exitCode)
      return
    }
    // A message rather than a signal: a worker that got the terminal's SIGINT already must not get a second one.
    for (const worker of workers) {
      if (worker.isConnected()) worker.send({ type: 'modelgate:shutdown' } satisfies Shutdown)
      else worker.process.kill('SIGTERM')
    }
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL')
    }, opts.graceMs + 5000).unref()
  }

  async function finish (exitCode: number): Promise<void> {
    await opts.onExit().catch((err: unknown) => { log.warn({ err }, 'could not release the data folder') })
    log.info({ exitCode }, 'gateway stopped')
    process.exit(exitCode)
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { stop(0) })
  // Every worker reloads the upstreams file (each also watches it).
  process.on('SIGHUP', () => { for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP') })

  for (let i = 0; i < opts.workers; i++) cluster.fork()
}
