import { describe, expect, it } from 'vitest'
import { postPhotoInHalves } from '../helpers/reference.ts'
import { startService } from '../helpers/processes.ts'

describe('model service shutdown', () => {
  it('finishes an in-flight request after SIGTERM, refuses new connections, and exits 0', async () => {
    const service = await startService('resnet')
    // Half the body now, the rest once the service is already shutting down; the pause lets the
    // service parse the request's headers before the signal arrives.
    const { status, body } = await postPhotoInHalves(`${service.url}/predict`, 'cat_720p.jpg', {
      pauseMs: 200,
      meanwhile: () => { void service.stop('SIGTERM') },
      restAfterMs: 300
    })
    expect(status).toBe(200)
    expect(JSON.parse(body).predictions[0].label).toBe('cat')
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow()
    expect(await service.exited()).toBe(0)
  })
})
