// The package as others get it: types generated from the gateway's current schemas, and a build that
// runs on plain Node (no tsx) with nothing installed beside it.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { TYPES_FILE, openApiTypes } from '../scripts/openapi-types.ts'

const run = promisify(execFile)
const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'client-dist-'))
afterAll(() => { rmSync(out, { recursive: true, force: true }) })

describe('@modelgate/client, packaged', () => {
  it('has its types generated from the gateway\'s schemas as they are now (pnpm --dir packages/client generate)', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await openApiTypes())
  })

  it('builds to ESM that plain Node runs, importing only its own files and Node built-ins', async () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { dependencies?: object, publishConfig: { exports: { '.': { default: string } }, bin: { modelgate: string } } }
    expect(pkg.dependencies).toBeUndefined()
    await run(process.execPath, [join(PACKAGE, 'node_modules/typescript/bin/tsc'), '-p', join(PACKAGE, 'tsconfig.build.json'), '--outDir', out])
    for (const file of readdirSync(out).filter((f) => f.endsWith('.js'))) {
      const imports = [...readFileSync(join(out, file), 'utf8').matchAll(/\bfrom\s+["']([^"']+)["']/g)].map((m) => m[1]!)
      for (const specifier of imports) expect(specifier, `${file} imports ${specifier}`).toMatch(/^(\.\/|node:)/)
    }
    // The published entry points (publishConfig) are the built files.
    expect(pkg.publishConfig.exports['.'].default).toBe('./dist/index.js')
    expect(pkg.publishConfig.bin.modelgate).toBe('./dist/cli.js')
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(join(out, 'index.js'))}); console.log(Object.keys(m).sort().join(','))`], { cwd: tmpdir() })
    expect(stdout.trim()).toBe('ClientCodes,Modelgate,ModelgateError,parseRetryAfter')
    const cli = await run(process.execPath, [join(out, 'cli.js'), '--help'], { cwd: tmpdir() })
    expect(cli.stdout).toContain('modelgate classify <file|url>')
  }, 60_000)
})
