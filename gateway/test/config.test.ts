import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '@modelgate/server-kit'
import { describe, expect, it } from 'vitest'
import { ConfigSchema, loadUpstreamsFile, parseUpstreams } from '../src/config.ts'
import { dataPaths } from '../src/data-paths.ts'

const valid = {
  models: {
    resnet: {
      stable: { version: '2.0.0', replicas: ['http://127.0.0.1:8101'] },
      canary: { version: '1.0.0', replicas: ['http://127.0.0.1:8111/'], weight: 10 }
    }
  }
}

describe('the upstreams file', () => {
  it('accepts the documented format, canary included', () => {
    expect(parseUpstreams(valid)).toEqual(valid)
  })

  it.each([
    [{ models: { resnet: { stable: { version: '2.0.0', replicas: [] } } } }, 'models.resnet.stable.replicas: must not have fewer than 1 items'],
    [{ models: { resnet: { stable: { version: '2.0.0', replicas: ['http://127.0.0.1:8101/predict'] } } } }, 'models.resnet.stable.replicas[0]: must match pattern'],
    [{ models: { resnet: { stable: { replicas: ['http://127.0.0.1:8101'] } } } }, 'models.resnet.stable.version: must have required properties'],
    [{ models: { resnet: { stable: valid.models.resnet.stable, canary: { version: '1', replicas: ['http://a:1'] } } } }, 'models.resnet.canary.weight'],
    [{ models: { resnet: { stable: valid.models.resnet.stable, shadow: {} } } }, 'models.resnet: must not have additional properties (shadow)'],
    [{ models: { ResNet: { stable: valid.models.resnet.stable } } }, 'models.ResNet: a model id is lowercase'],
    [{ model: {} }, 'models: must have required properties']
  ])('names the bad field (%#)', (value, message) => {
    expect(() => parseUpstreams(value, 'test file')).toThrow(message)
  })

  it('says what to do when the file is missing, and names a file that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-up-'))
    await expect(loadUpstreamsFile(join(dir, 'none.json'))).rejects.toThrow(/ENOENT.*pnpm start.*GATEWAY_UPSTREAMS/)
    writeFileSync(join(dir, 'bad.json'), '{ models: ')
    await expect(loadUpstreamsFile(join(dir, 'bad.json'))).rejects.toThrow(`The upstreams file ${join(dir, 'bad.json')} is not JSON`)
  })
})

describe('the environment', () => {
  it('has laptop defaults and puts files under DATA_DIR, relative to where the command ran', () => {
    const config = loadConfig(ConfigSchema, {})
    expect(config).toMatchObject({ HOST: '127.0.0.1', PORT: 8080, DATA_DIR: '.data', KEY_CACHE_MS: 500 })
    expect(dataPaths(config, { INIT_CWD: '/srv/app' })).toEqual({ dataDir: '/srv/app/.data', upstreams: '/srv/app/.data/upstreams.json', keysDb: '/srv/app/.data/keys.db' })
    expect(dataPaths({ ...config, KEYS_DB: 'k.db', GATEWAY_UPSTREAMS: '/etc/up.json' }, { INIT_CWD: '/srv/app' })).toMatchObject({ keysDb: '/srv/app/k.db', upstreams: '/etc/up.json' })
  })

  it('names a bad variable', () => {
    expect(() => loadConfig(ConfigSchema, { PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(/PORT[\s\S]*DATABASE_URL/)
    expect(() => loadConfig(ConfigSchema, { KEY_CACHE_MS: '5000' })).toThrow(/KEY_CACHE_MS/)
  })
})
