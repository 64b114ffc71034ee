// What one mirrored request tells about a shadow: whether the two models agree on the top class, how
// much of their top 5 they share, how far apart their top-1 probabilities are, and each one's time.
// Classes are compared by label, so two models with the same label set compare whatever their order.

export interface Answer {
  predictions: Array<{ label: string, probability: number }>
  timing?: { inferenceMs?: number, totalMs?: number }
}

export interface Comparison {
  top1Agrees: boolean
  /** |top-k of one ∩ top-k of the other| / k, with k = 5, or fewer when the caller asked for fewer. */
  top5Overlap: number
  absTop1ProbabilityDelta: number
  primary: { inferenceMs: number | undefined, totalMs: number | undefined }
  shadow: { inferenceMs: number | undefined, totalMs: number | undefined }
}

/** Reads a predict answer; undefined when it is not one. */
export function parseAnswer (body: Buffer | string): Answer | undefined {
  let value: unknown
  try {
    value = JSON.parse(body.toString())
  } catch {
    return undefined
  }
  const predictions = (value as Answer | null)?.predictions
  if (!Array.isArray(predictions) || predictions.length === 0) return undefined
  if (!predictions.every((p) => typeof p?.label === 'string' && typeof p.probability === 'number')) return undefined
  return value as Answer
}

export function compareAnswers (primary: Answer, shadow: Answer): Comparison {
  const k = Math.min(5, primary.predictions.length, shadow.predictions.length)
  const top = (answer: Answer): Set<string> => new Set(answer.predictions.slice(0, k).map((p) => p.label))
  const mine = top(primary)
  const shared = [...top(shadow)].filter((label) => mine.has(label)).length
  const [a, b] = [primary.predictions[0]!, shadow.predictions[0]!]
  const times = (answer: Answer): Comparison['primary'] => ({ inferenceMs: answer.timing?.inferenceMs, totalMs: answer.timing?.totalMs })
  return {
    top1Agrees: a.label === b.label,
    top5Overlap: shared / k,
    absTop1ProbabilityDelta: Math.abs(a.probability - b.probability),
    primary: times(primary),
    shadow: times(shadow)
  }
}
