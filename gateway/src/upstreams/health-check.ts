// Active health checks: every interval, GET /readyz on each replica. A replica that fails is taken
// out of rotation until it passes again; one that comes up has its /metadata read for GET /models.
import type { FastifyBaseLogger } from 'fastify'
import { fetchMetadata } from './metadata.ts'
import type { UpstreamRegistry } from './registry.ts'

export interface HealthCheckOptions {
  registry: UpstreamRegistry
  intervalMs: number
  timeoutMs: number
  log: FastifyBaseLogger
  /** Sent with every request to a replica (the service token). */
  headers?: Record<string, string>
}

export interface HealthChecker {
  /** Runs one round now and then one every interval. */
  start: () => Promise<void>
  /** One round over every replica. */
  checkNow: () => Promise<void>
  stop: () => void
}

/** Resolves to undefined when the replica is ready, else to why not. */
export async function probeReplica (url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) })
    await res.body?.cancel()
    return res.ok ? undefined : `readyz answered ${res.status}`
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } }
    return e.name === 'TimeoutError' ? `readyz timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.message)
  }
}

export function createHealthChecker (opts: HealthCheckOptions): HealthChecker {
  const { registry, log } = opts
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  async function checkReplica (url: string): Promise<void> {
    // An ejected replica stays out until its time is up, whatever its /readyz says.
    if (registry.ejected(url)) return
    const failure = await probeReplica(url, opts.timeoutMs)
    if (failure !== undefined) {
      registry.setState(url, 'down', failure)
      return
    }
    const wasUp = registry.health(url)?.state === 'up'
    if (!wasUp) {
      // Read the metadata each time a replica comes (back) up: a redeploy may bring a new version.
      try {
        registry.setMetadata(url, await fetchMetadata(url, opts.timeoutMs, opts.headers))
      } catch (err) {
        log.warn({ upstream: url, err }, 'replica metadata unreadable')
      }
    }
    registry.setState(url, 'up')
  }

  async function checkNow (): Promise<void> {
    await Promise.all(registry.replicaUrls().map(checkReplica))
  }

  function schedule (): void {
    if (stopped) return
    timer = setTimeout(() => {
      checkNow().catch((err: unknown) => log.error({ err }, 'health check round failed')).finally(schedule)
    }, opts.intervalMs)
    timer.unref()
  }

  registry.on('change', (change) => {
    if (change.state === 'down') log.warn({ upstream: change.url, reason: change.reason }, 'replica down')
    else if (change.state === 'up') log.info({ upstream: change.url }, 'replica up')
  })

  return {
    async start () {
      stopped = false
      await checkNow()
      schedule()
    },
    checkNow,
    stop () {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
    }
  }
}
