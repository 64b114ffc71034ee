// Numbers as people read them: short, stable widths, never "NaN".

/** 0.9458 → "94.6%", 0.0003 → "0.03%", 0 → "0%". */
export function formatProbability (p: number): string {
  if (!Number.isFinite(p) || p <= 0) return '0%'
  if (p >= 0.9995) return '100%'
  const pct = p * 100
  if (pct >= 10) return `${pct.toFixed(1)}%`
  return pct >= 0.01 ? `${pct.toFixed(2)}%` : '<0.01%'
}

/** Milliseconds: "0.42 ms", "8.3 ms", "142 ms", "1.25 s"; missing → "—". */
export function formatMs (ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 100) return `${Math.round(ms)} ms`
  if (ms >= 10) return `${ms.toFixed(1)} ms`
  return `${ms.toFixed(2)} ms`
}

/** A share: 0.0123 → "1.2%", 0 → "0%". */
export function formatRate (share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0%'
  const pct = share * 100
  return pct < 0.1 ? '<0.1%' : `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`
}

/** Requests per second: "0", "<0.01", "0.13", "4.2", "120". */
export function formatPerSecond (n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0'
  if (n < 0.01) return '<0.01'
  if (n >= 100) return n.toFixed(0)
  if (n >= 10) return n.toFixed(1)
  return n < 1 ? n.toFixed(2) : n.toFixed(1)
}

/** "1 request", "2 requests". */
export function countOf (n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`
}

export function formatBytes (n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`
  if (n >= 1024) return `${Math.round(n / 1024)} KB`
  return `${n} B`
}
