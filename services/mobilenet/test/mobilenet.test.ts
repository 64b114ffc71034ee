import { describe, expect, it } from 'vitest'
import { expectReferenceAnswers } from '../../../tests/helpers/service-expectations.ts'
import { startService } from '../../../tests/helpers/processes.ts'

describe('mobilenet service (MobileNetV2, ImageNet) as a real process', () => {
  it('classifies the shared photos as the reference does: a cat breed, a hotdog, a bald eagle', async () => {
    const service = await startService('mobilenet', { via: 'pnpm' })
    const answers = await expectReferenceAnswers(`${service.url}/predict`, 'mobilenet')
    expect(answers.get('cat_720p.jpg')!.predictions[0]!.label).toMatch(/cat/i)
    expect(answers.get('hot_dog.jpg')!.predictions[0]!.label).toMatch(/^hotdog\b/)
    expect(answers.get('eagle.jpg')!.predictions[0]!.label).toMatch(/^bald eagle\b/)
  })

  it('describes its model on /metadata', async () => {
    const service = await startService('mobilenet', { via: 'pnpm' })
    const res = await fetch(`${service.url}/metadata`)
    const meta = await res.json() as { id: string, classes: number, labels: string[], input: { width: number } }
    expect(meta).toMatchObject({ id: 'mobilenet', version: '1.0.0', classes: 1000, input: { width: 224, height: 224 } })
    expect(meta.labels).toHaveLength(1000)
  })
})
