import { expect } from 'vitest'
import { PHOTOS, type PredictAnswer, postPhoto, reference } from './reference.ts'

/**
 * Per bundle: the photos it classifies without doubt (../shared/models/README.md), and how far its
 * top-5 probabilities may be from the reference's. The int8 model's integer kernels differ by CPU
 * (without VNNI, onnxruntime's AVX2 u8s8 path saturates where VNNI does not): on an AMD EPYC with AVX2
 * only, every top-1 class is the reference's but probabilities differ by up to 0.16 (horses.jpg).
 */
const EXPECTED: Record<string, { clear: string[], tolerance: number }> = {
  resnet: { clear: ['cat_720p.jpg', 'eagle.jpg', 'owl.jpg'], tolerance: 0.005 },
  'resnet-int8': { clear: ['cat_720p.jpg', 'eagle.jpg', 'owl.jpg'], tolerance: 0.2 },
  mobilenet: { clear: ['cat_720p.jpg', 'eagle.jpg', 'hot_dog.jpg', 'dog.jpg'], tolerance: 0.005 }
}

/**
 * Classifies every shared photo through a running service (or the gateway, with `headers`) and checks
 * the answers against the reference predictions: same top-1 on the photos the reference calls clear,
 * same top-5 probabilities within the bundle's tolerance, probabilities sorted and in [0, 1].
 */
export async function expectReferenceAnswers (predictUrl: string, bundle: string, headers: Record<string, string> = {}): Promise<Map<string, PredictAnswer>> {
  const answers = new Map<string, PredictAnswer>()
  const expected = reference.bundles[bundle]!
  const { clear, tolerance } = EXPECTED[bundle]!
  for (const name of PHOTOS) {
    const { status, body } = await postPhoto(predictUrl, name, headers)
    expect(status, `${name}: ${JSON.stringify(body)}`).toBe(200)
    expect(body.model).toMatchObject({ id: expected.id, version: expected.version })
    expect(body.predictions).toHaveLength(5)
    const probabilities = body.predictions.map((p) => p.probability)
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a))
    for (const p of probabilities) expect(p).toBeGreaterThanOrEqual(0)
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6)
    body.predictions.forEach((p, i) => {
      expect(Math.abs(p.probability - expected.predictions[name]![i]!.probability), `${name} #${i}: ${p.probability}`).toBeLessThanOrEqual(tolerance)
    })
    if (clear.includes(name)) expect(body.predictions[0]!.label, name).toBe(expected.predictions[name]![0]!.label)
    answers.set(name, body)
  }
  return answers
}
