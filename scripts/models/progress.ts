// Download progress on stderr: a redrawn bar on a terminal, plain lines in logs and CI.

export interface Progress {
  /** A line of its own (never overwritten by the bar). */
  note (line: string): void
  /** `total`: the expected bytes (or steps, with unit 'steps'), 0 when not known. */
  start (label: string, total: number, unit?: Unit): void
  advance (bytes: number): void
  end (): void
}

type Unit = 'bytes' | 'steps'

interface Output { write (text: string): unknown, isTTY?: boolean, columns?: number }

export const silentProgress: Progress = { note () {}, start () {}, advance () {}, end () {} }

export function formatBytes (bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
}

export function createProgress (out: Output = process.stderr): Progress {
  if (out.isTTY !== true) return createLineProgress(out)
  let label = ''
  let unit: Unit = 'bytes'
  let total = 0
  let done = 0
  let startedAt = 0
  let drawnAt = 0
  let drawn = false

  const draw = (): void => {
    const fraction = total > 0 ? Math.min(done / total, 1) : 0
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001)
    const stats = unit === 'steps'
      ? `${String(Math.floor(fraction * 100)).padStart(3)}%  ${done}/${total}`
      : `${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatBytes(done)}/${total > 0 ? formatBytes(total) : '?'}  ${formatBytes(done / seconds)}/s`
    const width = Math.max(10, Math.min(30, (out.columns ?? 80) - label.length - stats.length - 6))
    const filled = Math.round(fraction * width)
    out.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats}`)
    drawn = true
  }
  const clear = (): void => {
    if (drawn) out.write('\r\x1b[2K')
    drawn = false
  }

  return {
    note (line) {
      clear()
      out.write(`${line}\n`)
      if (label !== '') draw()
    },
    start (name, count, as = 'bytes') {
      label = name
      unit = as
      total = count
      done = 0
      startedAt = Date.now()
      drawnAt = 0
      draw()
    },
    advance (bytes) {
      done += bytes
      // Redraw at most ten times a second: a 100 MB download arrives in thousands of chunks.
      if (Date.now() - drawnAt >= 100) {
        drawnAt = Date.now()
        draw()
      }
    },
    end () {
      if (label !== '') draw()
      if (drawn) out.write('\n')
      drawn = false
      label = ''
    }
  }
}

function createLineProgress (out: Output): Progress {
  return {
    note (line) { out.write(`${line}\n`) },
    start (label, total, unit = 'bytes') { out.write(`${label}${total > 0 && unit === 'bytes' ? `: ${formatBytes(total)}` : ''} ...\n`) },
    advance () {},
    end () {}
  }
}
