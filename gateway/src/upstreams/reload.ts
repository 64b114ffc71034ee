// Re-reads the upstreams file on SIGHUP and when it changes on disk. A valid file replaces the routing
// table (only the models whose entry changed are touched); a bad or half-written one is logged and the
// current table kept. Requests already routed finish where they were sent.
import { type FSWatcher, watch } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { loadUpstreamsFile } from '../config.ts'
import type { UpstreamRegistry } from './registry.ts'

export interface ReloaderOptions {
  path: string
  registry: UpstreamRegistry
  log: FastifyBaseLogger
  /** Runs after a table with changes was applied (a health round, so a new canary is judged at once). */
  afterUpdate?: () => Promise<void>
  /** Quiet time after the last file event before reading: an editor's save is several events. */
  debounceMs?: number
}

export interface UpstreamsReloader {
  /** Reads the file and applies it; resolves to the ids of the models that changed. */
  reload: (trigger: 'SIGHUP' | 'file') => Promise<string[]>
  /** Watches the file's folder; editors that write a new file and rename it over the old are seen too. */
  watch: () => void
  close: () => void
}

export function createUpstreamsReloader (opts: ReloaderOptions): UpstreamsReloader {
  const { path, registry, log } = opts
  const name = basename(path)
  let watcher: FSWatcher | undefined
  let timer: NodeJS.Timeout | undefined
  let lastText: string | undefined
  // One reload at a time, in order: two quick saves must not apply the older file last.
  let queue: Promise<unknown> = Promise.resolve()

  async function apply (trigger: 'SIGHUP' | 'file'): Promise<string[]> {
    const text = await readFile(path, 'utf8').catch(() => undefined)
    // Unchanged bytes (a touch, a save without edits) do nothing on a file event.
    if (trigger === 'file' && text !== undefined && text === lastText) return []
    const file = await loadUpstreamsFile(path)
    lastText = text
    const changed = registry.update(file)
    if (trigger === 'SIGHUP' || changed.length > 0) log.info({ trigger, file: path, changed, models: registry.ids() }, 'upstreams reloaded')
    if (changed.length > 0) await opts.afterUpdate?.()
    return changed
  }

  function reload (trigger: 'SIGHUP' | 'file'): Promise<string[]> {
    const run = queue.then(async () => await apply(trigger))
    queue = run.catch((err: unknown) => { log.error({ err, trigger, file: path }, 'upstreams not reloaded') })
    return run
  }

  function schedule (): void {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      reload('file').catch(() => {})
    }, opts.debounceMs ?? 150)
    timer.unref()
  }

  return {
    reload,
    watch () {
      if (watcher !== undefined) return
      // The folder, not the file: a watch on the file follows the old inode when an editor replaces it.
      // `..data` is how Kubernetes swaps a mounted ConfigMap.
      watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name || changed.startsWith('..')) schedule()
      })
      watcher.on('error', (err) => log.error({ err, file: path }, 'upstreams file no longer watched'))
      // Catches a change made between the first read and the watch (applies nothing otherwise).
      schedule()
    },
    close () {
      watcher?.close()
      watcher = undefined
      if (timer !== undefined) clearTimeout(timer)
    }
  }
}
