import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadBundle } from '../src/bundle/load-bundle.ts'
import { parseManifest } from '../src/bundle/manifest.ts'
import { SHARED_MODELS } from './build.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

/** A copy of a shared bundle whose manifest `edit` changes. */
function copyBundle (id: string, edit: (m: Record<string, any>) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'))
  dirs.push(dir)
  cpSync(`${SHARED_MODELS}${id}`, dir, { recursive: true })
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
  edit(manifest)
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest))
  return dir
}

describe('model bundles', () => {
  it('loads every shared bundle as it is', async () => {
    for (const id of ['resnet', 'resnet-int8', 'mobilenet', 'resnet-v1']) {
      const bundle = await loadBundle(`${SHARED_MODELS}${id}`)
      expect(bundle.labels).toHaveLength(bundle.manifest.classes)
    }
  })

  it('names the file and the field of a bad manifest', () => {
    const good = JSON.parse(readFileSync(`${SHARED_MODELS}resnet/model.json`, 'utf8'))
    const cases: Array<[(m: any) => void, string]> = [
      [(m) => { delete m.input.mean }, 'field "input.mean" is missing'],
      [(m) => { m.input.std = [1, 2] }, 'field "input.std"'],
      [(m) => { m.input.layout = 'NHWC' }, 'field "input.layout"'],
      [(m) => { m.output.activation = 'sigmoid' }, 'field "output.activation"'],
      [(m) => { m.sha256 = 'abc' }, 'field "sha256"'],
      [(m) => { m.file = '../../etc/passwd' }, 'field "file"'],
      [(m) => { m.input.resize.shorterSide = 8 }, 'field "input.resize.shorterSide"']
    ]
    for (const [edit, message] of cases) {
      const m = structuredClone(good)
      edit(m)
      expect(() => parseManifest(m, '/b/model.json')).toThrow(`/b/model.json: ${message}`)
    }
  })

  it('refuses a model file whose sha256 differs from the manifest', async () => {
    const dir = copyBundle('resnet', (m) => { m.sha256 = '0'.repeat(64) })
    await expect(loadBundle(dir)).rejects.toThrow(/field "sha256" .* model\.onnx hashes to aca5e407/)
  })

  it('refuses a labels file whose count differs from classes', async () => {
    const dir = copyBundle('resnet')
    writeFileSync(join(dir, 'labels.txt'), 'cat\ndog\n')
    await expect(loadBundle(dir)).rejects.toThrow(/field "classes" is 10 but labels.txt has 2 labels/)
  })

  it('says plainly when the folder holds no bundle', async () => {
    await expect(loadBundle(join(tmpdir(), 'no-such-bundle'))).rejects.toThrow(/model\.json: cannot be read \(ENOENT\)/)
  })
})

describe('model bundles with a declared size', () => {
  it('refuses a model file whose size differs from "bytes"', async () => {
    const dir = copyBundle('resnet', (m) => { m.bytes = 12345 })
    await expect(loadBundle(dir)).rejects.toThrow(/field "bytes" is 12345 but model\.onnx has 3431804 bytes/)
  })
})
