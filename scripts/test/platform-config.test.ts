import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { loadPlatform } from '../start/platform-config.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function configFile (config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'platform-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'modelgate.config.json'), JSON.stringify(config))
  return join(dir, 'modelgate.config.json')
}

describe('modelgate.config.json', () => {
  it('runs the three services on the ports of their service.json', async () => {
    const { models } = await loadPlatform(join(ROOT, 'modelgate.config.json'))
    expect(models.map((m) => [m.id, m.port])).toEqual([['resnet', 8101], ['mobilenet', 8102], ['resnet-int8', 8103]])
    expect(models[0]!.serviceFile).toBe(join(ROOT, 'services/resnet/service.json'))
  })

  it('takes a fourth model with only an id and a port: no service folder needed', async () => {
    const path = configFile({
      models: [{ id: 'resnet', service: join(ROOT, 'services/resnet') }, { id: 'catsdogs', port: 8104 }],
      gateway: { port: 8080 }
    })
    const { models } = await loadPlatform(path)
    expect(models[1]).toEqual({ id: 'catsdogs', port: 8104 })
  })

  it('refuses a model with neither port nor service, and a port used twice', async () => {
    await expect(loadPlatform(configFile({ models: [{ id: 'x' }], gateway: { port: 8080 } }))).rejects.toThrow(/models\[0\] \("x"\) needs a "port"/)
    await expect(loadPlatform(configFile({ models: [{ id: 'x', port: 8080 }], gateway: { port: 8080 } }))).rejects.toThrow(/port 8080 is used twice/)
  })
})
