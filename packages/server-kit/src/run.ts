import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

export interface RunOptions {
  host: string
  port: number
  /** How long in-flight requests may take to finish after SIGTERM/SIGINT (ms). */
  graceMs?: number
  /** Signals that must not close the server because the process handles them itself (e.g. SIGHUP to reload). */
  keepSignals?: Array<'SIGHUP' | 'SIGUSR2'>
}

/**
 * Listens, and on SIGTERM or SIGINT stops accepting, lets in-flight requests finish, runs the
 * app's onClose hooks and exits 0 (1 if the grace period runs out or closing fails).
 */
export async function runServer (app: FastifyInstance, opts: RunOptions): Promise<string> {
  closeWithGrace({ delay: opts.graceMs ?? 25_000, skip: opts.keepSignals ?? [], logger: { error: (m: string) => app.log.error(m) } }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an uncaught error')
    else app.log.info({ signal }, 'closing gracefully')
    await app.close()
  })
  return await app.listen({ host: opts.host, port: opts.port })
}

/** Prints a configuration or start-up error without a stack trace and exits 1. */
export function exitOnStartError (err: unknown): never {
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`${message}\n`)
  process.exit(1)
}
