import { type ApiKey, keyRefusal } from '../auth/api-keys.ts'
import type { UsageRow } from '../auth/key-store.ts'

function table (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** Keys as a table for people; never a secret, only the key's first characters. */
export function formatKeys (keys: ApiKey[], now: number): string {
  return table(
    ['ID', 'NAME', 'KEY', 'MODELS', 'RATE', 'EXPIRES', 'ADMIN', 'STATUS'],
    keys.map((k) => [
      k.id,
      k.name,
      `${k.prefix}…`,
      k.models === null ? 'all' : k.models.join(','),
      k.rateLimitPerMin === null ? 'default' : `${k.rateLimitPerMin}/min`,
      k.expiresAt ?? 'never',
      k.admin ? 'yes' : 'no',
      keyRefusal(k, now) ?? 'active'
    ])
  )
}

export function formatUsage (rows: UsageRow[]): string {
  if (rows.length === 0) return 'No usage recorded.'
  return table(['DAY', 'KEY', 'MODEL', 'REQUESTS'], rows.map((r) => [r.day, r.keyId, r.modelId, String(r.requests)]))
}
