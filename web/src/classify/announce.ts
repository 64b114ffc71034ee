import type { ModelInfo } from '../api/types.ts'
import { formatProbability } from '../format.ts'
import type { Run } from './use-runs.ts'

/** One sentence for screen readers about where the current classification stands. */
export function announce (runs: Array<[string, Run]>, models: ModelInfo[]): string {
  if (runs.length === 0) return ''
  const nameOf = (id: string): string => models.find((m) => m.id === id)?.name ?? id
  if (runs.some(([, r]) => r.status === 'loading')) {
    return runs.length === 1 ? `Classifying with ${nameOf(runs[0]![0])}…` : `Classifying with ${runs.length} models…`
  }
  return runs.map(([id, r]) => {
    // Errors announce themselves (role="alert" on the notice).
    if (r.status !== 'done') return ''
    const top = r.result.predictions[0]
    return top === undefined ? `${nameOf(id)}: no answer.` : `${nameOf(id)}: ${top.label}, ${formatProbability(top.probability)}.`
  }).filter((s) => s !== '').join(' ')
}
