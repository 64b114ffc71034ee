export interface Prediction {
  label: string
  index: number
  probability: number
}

/** Numerically stable softmax (subtracts the maximum first). */
export function softmax (logits: ArrayLike<number>): Float64Array {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!)
  const out = new Float64Array(logits.length)
  let sum = 0
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max)
    sum += out[i]!
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum
  return out
}

/** Probabilities from a model's output row: softmax for logits, a renormalisation for probabilities. */
export function toProbabilities (row: ArrayLike<number>, activation: 'softmax' | 'none'): Float64Array {
  if (activation === 'softmax') return softmax(row)
  const out = Float64Array.from(row, (v) => (Number.isFinite(v) && v > 0 ? v : 0))
  const sum = out.reduce((a, b) => a + b, 0)
  return sum > 0 ? out.map((v) => v / sum) : out.fill(1 / out.length)
}

/** The k most probable classes, most probable first; ties keep the lower index first. */
export function topK (probabilities: ArrayLike<number>, labels: readonly string[], k: number): Prediction[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i)
  order.sort((a, b) => probabilities[b]! - probabilities[a]! || a - b)
  return order.slice(0, k).map((index) => ({ label: labels[index] ?? String(index), index, probability: probabilities[index]! }))
}
