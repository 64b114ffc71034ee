import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '@modelgate/server-kit'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebConfigSchema } from '../server/config.ts'
import { isBuildStale } from '../server/ensure-build.ts'

describe('web config', () => {
  it('defaults to loopback, port 3000 and the local gateway', () => {
    expect(loadConfig(WebConfigSchema, {})).toMatchObject({ HOST: '127.0.0.1', WEB_PORT: 3000, GATEWAY_URL: 'http://127.0.0.1:8080' })
  })

  it('names the variable when GATEWAY_URL or WEB_PORT is wrong', () => {
    expect(() => loadConfig(WebConfigSchema, { GATEWAY_URL: 'ftp://x' })).toThrow(ConfigError)
    expect(() => loadConfig(WebConfigSchema, { GATEWAY_URL: 'ftp://x' })).toThrow(/GATEWAY_URL/)
    expect(() => loadConfig(WebConfigSchema, { WEB_PORT: '70000' })).toThrow(/WEB_PORT/)
  })
})

describe('isBuildStale', () => {
  async function webDir (): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'modelgate-web-src-'))
    onTestFinished(async () => { await rm(dir, { recursive: true, force: true }) })
    await mkdir(join(dir, 'src', 'ops'), { recursive: true })
    await writeFile(join(dir, 'src', 'ops', 'page.tsx'), 'x')
    await writeFile(join(dir, 'index.html'), 'x')
    return dir
  }
  const at = async (path: string, seconds: number): Promise<void> => { await utimes(path, seconds, seconds) }

  it('is stale without a build, and after a source file changed', async () => {
    const dir = await webDir()
    const dist = join(dir, 'dist')
    expect(await isBuildStale(dir, dist)).toBe(true)
    await mkdir(dist)
    await writeFile(join(dist, 'index.html'), 'built')
    for (const p of ['src/ops/page.tsx', 'src/ops', 'src', 'index.html']) await at(join(dir, p), 1000)
    await at(join(dist, 'index.html'), 2000)
    expect(await isBuildStale(dir, dist)).toBe(false)
    await at(join(dir, 'src', 'ops', 'page.tsx'), 3000)
    expect(await isBuildStale(dir, dist)).toBe(true)
  })
})
