import type { ModelOps } from '../api/types.ts'

export type ShadowOps = NonNullable<ModelOps['shadow']>

/** 0.987 → "98.7 %", 1 → "100 %". */
function percent (share: number): string {
  const pct = share * 100
  return `${pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)} %`
}

/** How the two compare on speed: primary p50 over shadow p50, as a person says it. */
function speed (shadow: ShadowOps): string | undefined {
  const { primary, shadow: other } = shadow.latencyMs
  if (primary.p50 === null || other.p50 === null || primary.p50 <= 0 || other.p50 <= 0) return undefined
  const ratio = primary.p50 / other.p50
  if (ratio >= 1.05) return `${ratio.toFixed(1)}× faster at p50`
  if (ratio <= 1 / 1.05) return `${(1 / ratio).toFixed(1)}× slower at p50`
  return 'as fast at p50'
}

/**
 * A model's shadow in one line, e.g. "shadow → resnet-int8 (20 %): agrees on 98.7 % of 1,204 images;
 * 2.3× faster at p50", with what could not be compared after it.
 */
export function shadowSentence (shadow: ShadowOps): string {
  const head = `shadow → ${shadow.target} (${shadow.percent} %)`
  const parts = shadow.compared === 0 || shadow.top1Agreement === null
    ? ['nothing compared yet']
    : [`agrees on ${percent(shadow.top1Agreement)} of ${shadow.compared.toLocaleString('en')} ${shadow.compared === 1 ? 'image' : 'images'}`, speed(shadow)]
  const missed = [
    shadow.failed > 0 ? `${shadow.failed.toLocaleString('en')} failed` : undefined,
    shadow.skipped > 0 ? `${shadow.skipped.toLocaleString('en')} skipped` : undefined
  ].filter((s) => s !== undefined)
  return `${head}: ${[...parts, missed.length > 0 ? missed.join(', ') : undefined].filter((s) => s !== undefined).join('; ')}`
}
