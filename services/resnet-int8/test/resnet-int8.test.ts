import { describe, expect, it } from 'vitest'
import { PHOTOS, postPhoto } from '../../../tests/helpers/reference.ts'
import { expectReferenceAnswers } from '../../../tests/helpers/service-expectations.ts'
import { startService } from '../../../tests/helpers/processes.ts'

describe('resnet-int8 service (ResNet-56 quantised) as a real process', () => {
  it('classifies the shared photos as the reference does', async () => {
    const service = await startService('resnet-int8', { via: 'pnpm' })
    const answers = await expectReferenceAnswers(`${service.url}/predict`, 'resnet-int8')
    expect(answers.get('cat_720p.jpg')!.predictions[0]!.label).toBe('cat')
  })

  it('agrees with the fp32 ResNet on the top-1 class of every shared photo', async () => {
    const [int8, fp32] = await Promise.all([startService('resnet-int8', { via: 'pnpm' }), startService('resnet', { via: 'pnpm' })])
    for (const name of PHOTOS) {
      const [a, b] = await Promise.all([postPhoto(`${int8.url}/predict`, name), postPhoto(`${fp32.url}/predict`, name)])
      expect(a.body.model.id).toBe('resnet-int8')
      expect(b.body.model.id).toBe('resnet')
      expect(a.body.predictions[0]!.label, name).toBe(b.body.predictions[0]!.label)
    }
  })
})
