import type { PredictResult } from '../api/types.ts'

export interface ComparisonSummary {
  /** The model whose inference took least time, once at least two answered. */
  fastestId: string | undefined
  /** Models grouped by their top-1 label, largest group first. */
  agreement: Array<{ label: string, modelIds: string[] }>
}

/** What a person wants from "compare all" at a glance: who agrees with whom, and who is fastest. */
export function summarizeComparison (answers: Array<[string, PredictResult]>): ComparisonSummary {
  const timed = answers.filter(([, r]) => typeof r.timing.inferenceMs === 'number')
  const fastest = timed.length < 2
    ? undefined
    : timed.reduce((best, cur) => (cur[1].timing.inferenceMs! < best[1].timing.inferenceMs! ? cur : best))
  const groups = new Map<string, string[]>()
  for (const [id, r] of answers) {
    const top = r.predictions[0]?.label
    if (top === undefined) continue
    groups.set(top, [...(groups.get(top) ?? []), id])
  }
  const agreement = [...groups].map(([label, modelIds]) => ({ label, modelIds }))
    .sort((a, b) => b.modelIds.length - a.modelIds.length)
  return { fastestId: fastest?.[0], agreement }
}
