// The committed catalog must match the zoo files it names: a typo in a sha256 would make every pull fail.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { defaultCatalogDir, listCatalogIds, loadCatalogEntry } from '../models/catalog.ts'
import { sharedModels } from './mirror.ts'

const catalogDir = fileURLToPath(defaultCatalogDir)
interface ZooFile {
  service: string
  file: string
  sha256: string
  bytes: number
  urls: string[]
  input: { name: string }
  output: { name: string }
  preprocess: { mean: number[], std: number[] }
}
const zoo = JSON.parse(await readFile(`${sharedModels}/zoo.json`, 'utf8')) as {
  files: ZooFile[]
  labels: { file: string, sha256: string, bytes: number, url: string }
}
const expected = { resnet: 'resnet50-v1-12.onnx', mobilenet: 'mobilenetv2-12.onnx', 'resnet-int8': 'resnet50-v1-12-int8.onnx' }

describe('models/zoo catalog', () => {
  it('has one entry per default service', async () => {
    expect(await listCatalogIds(catalogDir)).toEqual(Object.keys(expected).sort())
  })

  it.each(Object.entries(expected))('%s names %s with the zoo size, sha256, URLs and preprocessing', async (id, file) => {
    const entry = await loadCatalogEntry(catalogDir, id)
    const zooFile = zoo.files.find((f) => f.file === file)
    expect(zooFile?.service).toBe(id)
    expect(entry.manifest).toMatchObject({
      id,
      file,
      sha256: zooFile?.sha256,
      bytes: zooFile?.bytes,
      classes: 1000,
      labels: 'labels.txt',
      input: { name: zooFile?.input.name, width: 224, height: 224, resize: { shorterSide: 256 }, scale: 255, mean: zooFile?.preprocess.mean, std: zooFile?.preprocess.std },
      output: { name: zooFile?.output.name, activation: 'softmax' },
      source: { license: expect.stringContaining('Apache-2.0') }
    })
    expect(entry.urls).toEqual(zooFile?.urls)
    expect(entry.labels).toMatchObject({ file: zoo.labels.file, sha256: zoo.labels.sha256, bytes: zoo.labels.bytes, format: 'synset' })
    expect(entry.labels.urls[0]).toBe(zoo.labels.url)
  })
})
