import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { UpstreamsFile } from '../src/config.ts'
import { UpstreamRegistry } from '../src/upstreams/registry.ts'
import { createUpstreamsReloader } from '../src/upstreams/reload.ts'
import { fakeUpstreamForTest } from './fake-upstream.ts'
import { buildHarness, routed } from './gateway-harness.ts'

const resnet = (version: string, port: number): UpstreamsFile['models'][string] => ({ stable: { version, replicas: [`http://127.0.0.1:${port}`] } })
const file = (models: UpstreamsFile['models']): UpstreamsFile => ({ models })

function setup (initial: UpstreamsFile): { path: string, registry: UpstreamRegistry, lines: Array<Record<string, unknown>>, reloader: ReturnType<typeof createUpstreamsReloader> } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-upstreams-'))
  const path = join(dir, 'upstreams.json')
  writeFileSync(path, JSON.stringify(initial))
  const registry = new UpstreamRegistry(initial)
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } }))
  const reloader = createUpstreamsReloader({ path, registry, log, debounceMs: 20 })
  onTestFinished(() => {
    reloader.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { path, registry, lines, reloader }
}

async function until (check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('reloading the routing table', () => {
  it('reports only the models whose entry changed and leaves the others\' round robin alone', () => {
    const registry = new UpstreamRegistry(file({
      resnet: resnet('2.0.0', 1),
      mobilenet: { stable: { version: '1.0.0', replicas: ['http://127.0.0.1:4', 'http://127.0.0.1:5'] } }
    }))
    expect(routed(registry.pick('mobilenet'))?.replica).toBe('http://127.0.0.1:4')
    const changed = registry.update(file({
      resnet: { ...resnet('2.0.0', 1), canary: { version: '1.0.0', replicas: ['http://127.0.0.1:3'], weight: 10 } },
      mobilenet: { stable: { version: '1.0.0', replicas: ['http://127.0.0.1:4', 'http://127.0.0.1:5'] } },
      'resnet-int8': resnet('2.0.0', 6)
    }))
    expect(changed.sort()).toEqual(['resnet', 'resnet-int8'])
    expect(routed(registry.pick('mobilenet'))?.replica).toBe('http://127.0.0.1:5')
    expect(registry.canary('resnet')).toEqual({ version: '1.0.0', weight: 10 })
    expect(registry.update(file({ resnet: resnet('1.0.0', 1) })).sort()).toEqual(['mobilenet', 'resnet', 'resnet-int8'])
  })

  it('applies the file on SIGHUP', async () => {
    const { path, registry, reloader, lines } = setup(file({ resnet: resnet('2.0.0', 1) }))
    writeFileSync(path, JSON.stringify(file({ resnet: resnet('1.0.0', 2) })))
    expect(await reloader.reload('SIGHUP')).toEqual(['resnet'])
    expect(registry.version('resnet')).toBe('1.0.0')
    expect(lines.find((l) => l.msg === 'upstreams reloaded')).toMatchObject({ trigger: 'SIGHUP', changed: ['resnet'] })
  })

  it('applies a change written to the file in place', async () => {
    const { path, registry, reloader } = setup(file({ resnet: resnet('2.0.0', 1) }))
    reloader.watch()
    writeFileSync(path, JSON.stringify(file({ resnet: { ...resnet('2.0.0', 1), canary: { version: '1.0.0', replicas: ['http://127.0.0.1:2'], weight: 25 } } })))
    await until(() => registry.canary('resnet')?.weight === 25)
  })

  it('applies a file an editor replaced (written beside it, then renamed over it)', async () => {
    const { path, registry, reloader } = setup(file({ resnet: resnet('2.0.0', 1) }))
    reloader.watch()
    writeFileSync(`${path}.swp`, JSON.stringify(file({ resnet: resnet('1.0.0', 2) })))
    renameSync(`${path}.swp`, path)
    await until(() => registry.version('resnet') === '1.0.0')
    // The watch still works after the rename: the folder is watched, not the old file.
    writeFileSync(path, JSON.stringify(file({ resnet: resnet('1.1.0', 2) })))
    await until(() => registry.version('resnet') === '1.1.0')
  })

  it('keeps the current table when the file is bad, and applies it once fixed', async () => {
    const { path, registry, reloader, lines } = setup(file({ resnet: resnet('2.0.0', 1) }))
    reloader.watch()
    writeFileSync(path, '{ "models": { "resnet": ')
    await until(() => lines.some((l) => l.msg === 'upstreams not reloaded'))
    expect(registry.version('resnet')).toBe('2.0.0')
    writeFileSync(path, JSON.stringify(file({ resnet: { stable: { version: '3.0.0', replicas: ['not a url'] } } })))
    await until(() => lines.filter((l) => l.msg === 'upstreams not reloaded').length >= 2)
    expect(registry.version('resnet')).toBe('2.0.0')
    writeFileSync(path, JSON.stringify(file({ resnet: resnet('3.0.0', 1) })))
    await until(() => registry.version('resnet') === '3.0.0')
  })

  it('lets a request in flight finish on the replica it was sent to when the table changes', async () => {
    const old = await fakeUpstreamForTest({ version: '2.0.0' })
    const next = await fakeUpstreamForTest({ version: '1.0.0' })
    old.delayMs = 300
    const { app, createKey } = await buildHarness(file({ resnet: { stable: { version: '2.0.0', replicas: [old.url] } } }))
    const { secret } = await createKey()
    const request = { method: 'POST' as const, url: '/model/resnet/predict', headers: { 'x-api-key': secret }, payload: {} }
    const inFlight = app.inject(request)
    await until(() => old.received.length === 1)
    expect(app.upstreams.update(file({ resnet: { stable: { version: '1.0.0', replicas: [next.url] } } }))).toEqual(['resnet'])
    const after = await app.inject(request)
    expect([after.statusCode, after.headers['x-model-version']]).toEqual([200, '1.0.0'])
    const first = await inFlight
    expect([first.statusCode, first.headers['x-model-version'], first.json().model.version]).toEqual([200, '2.0.0', '2.0.0'])
  })
})
