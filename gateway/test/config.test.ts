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
    [{ models: { resnet: { stable: valid.models.resnet.stable, mirror: {} } } }, 'models.resnet: must not have additional properties (mirror)'],
    [{ models: { ResNet: { stable: valid.models.resnet.stable } } }, 'models.ResNet: a model id is lowercase'],
    [{ model: {} }, 'models: must have required properties']
  ])('names the bad field (%#)', (value, message) => {
    expect(() => parseUpstreams(value, 'test file')).toThrow(message)
  })

  describe('a shadow', () => {
    const stable = valid.models.resnet.stable
    const int8 = { stable: { version: '2.0.0', replicas: ['http://127.0.0.1:8103'] } }

    it('mirrors to another model, or to a candidate version with its replicas', () => {
      const toModel = { models: { resnet: { stable, shadow: { model: 'resnet-int8', percent: 20 } }, 'resnet-int8': int8 } }
      const toVersion = { models: { resnet: { stable, shadow: { version: '2.1.0', replicas: ['http://127.0.0.1:8121'], percent: 10 } } } }
      expect(parseUpstreams(toModel)).toEqual(toModel)
      expect(parseUpstreams(toVersion)).toEqual(toVersion)
    })

    it.each([
      [{ model: 'vgg', percent: 20 }, 'models.resnet.shadow.model: no model "vgg" in this file'],
      [{ model: 'resnet', percent: 20 }, 'models.resnet.shadow.model: a model cannot shadow itself'],
      [{ model: 'resnet-int8', percent: 101 }, 'models.resnet.shadow.percent: must be <= 100'],
      [{ model: 'resnet-int8', percent: -1 }, 'models.resnet.shadow.percent: must be >= 0'],
      [{ model: 'resnet-int8' }, 'models.resnet.shadow.percent: must have required properties'],
      [{ model: 'resnet-int8', version: '2.1.0', percent: 5 }, 'models.resnet.shadow: give "model", or "version" and "replicas", not both'],
      [{ version: '2.1.0', percent: 5 }, 'models.resnet.shadow: give "model" (another model\'s id), or "version" and "replicas" (a candidate version)'],
      [{ version: '2.0.0', replicas: ['http://127.0.0.1:8121'], percent: 5 }, 'models.resnet.shadow.version: 2.0.0 is the stable version itself'],
      [{ version: '2.1.0', replicas: ['http://127.0.0.1:99999'], percent: 5 }, 'models.resnet.shadow.replicas[0]: not a valid URL']
    ])('is refused, naming the field: %j', (shadow, message) => {
      expect(() => parseUpstreams({ models: { resnet: { stable, shadow }, 'resnet-int8': int8 } }, 'test file')).toThrow(message)
    })
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
