import { describe, expect, it } from 'vitest'
import { postPhoto } from '../../../tests/helpers/reference.ts'
import { expectReferenceAnswers } from '../../../tests/helpers/service-expectations.ts'
import { startService } from '../../../tests/helpers/processes.ts'

describe('resnet service (ResNet-56, CIFAR-10) as a real process', () => {
  it('classifies the shared photos as the reference does, cat_720p as a cat', async () => {
    const service = await startService('resnet', { via: 'pnpm' })
    const answers = await expectReferenceAnswers(`${service.url}/predict`, 'resnet')
    expect(answers.get('cat_720p.jpg')!.predictions[0]).toMatchObject({ label: 'cat', index: 3 })
    expect(answers.get('eagle.jpg')!.predictions[0]!.label).toBe('bird')
  })

  it('returns all ten class probabilities summing to 1 with topk=10', async () => {
    const service = await startService('resnet', { via: 'pnpm' })
    const { status, body } = await postPhoto(`${service.url}/predict?topk=10`, 'owl.jpg')
    expect(status).toBe(200)
    expect(body.predictions).toHaveLength(10)
    expect(new Set(body.predictions.map((p) => p.index)).size).toBe(10)
    expect(body.predictions.reduce((a, p) => a + p.probability, 0)).toBeCloseTo(1, 5)
  })
})
