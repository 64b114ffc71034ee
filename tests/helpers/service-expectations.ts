import { expect } from 'vitest'
import { PHOTOS, type PredictAnswer, postPhoto, reference } from './reference.ts'

/**
 * Classifies every shared photo through a running service and checks the answers against the
 * reference predictions: same top-1 on the photos the reference calls clear, same top-5 probabilities
 * within a tolerance, probabilities sorted and in [0, 1].
 */
export async function expectReferenceAnswers (predictUrl: string, bundle: string, clearPhotos: string[]): Promise<Map<string, PredictAnswer>> {
  const answers = new Map<string, PredictAnswer>()
  const expected = reference.bundles[bundle]!
  for (const name of PHOTOS) {
    const { status, body } = await postPhoto(predictUrl, name)
    expect(status, `${name}: ${JSON.stringify(body)}`).toBe(200)
    expect(body.model).toMatchObject({ id: expected.id, version: expected.version })
    expect(body.predictions).toHaveLength(5)
    const probabilities = body.predictions.map((p) => p.probability)
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a))
    for (const p of probabilities) expect(p).toBeGreaterThanOrEqual(0)
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6)
    body.predictions.forEach((p, i) => {
      expect(p.probability, `${name} #${i}`).toBeCloseTo(expected.predictions[name]![i]!.probability, 2)
    })
    if (clearPhotos.includes(name)) expect(body.predictions[0]!.label, name).toBe(expected.predictions[name]![0]!.label)
    answers.set(name, body)
  }
  return answers
}
