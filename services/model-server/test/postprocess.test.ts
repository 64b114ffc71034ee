import { describe, expect, it } from 'vitest'
import { softmax, toProbabilities, topK } from '../src/inference/postprocess.ts'

describe('postprocess', () => {
  it('softmax is stable for large logits and sums to 1', () => {
    const p = softmax([1000, 1001, 1002])
    expect([...p].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    expect(p[2]).toBeGreaterThan(p[1]!)
    expect(Number.isFinite(p[0])).toBe(true)
  })

  it('renormalises probabilities for activation none, clamping negatives and NaN', () => {
    expect([...toProbabilities([0.2, 0.2, -1, Number.NaN], 'none')]).toEqual([0.5, 0.5, 0, 0])
  })

  it('topK sorts by probability, keeps the lower index on ties, and labels each class', () => {
    expect(topK([0.1, 0.4, 0.4, 0.1], ['a', 'b', 'c', 'd'], 3)).toEqual([
      { label: 'b', index: 1, probability: 0.4 },
      { label: 'c', index: 2, probability: 0.4 },
      { label: 'a', index: 0, probability: 0.1 }
    ])
  })
})
