// `pnpm models compare`, as the command runs: the shared bundles on a folder of real photos and of
// files no model can take.
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Comparison } from '../models/compare.ts'
import { parseLabelsFile } from '../models/compare.ts'
import { repoRoot, sharedModels, tempDir } from './mirror.ts'
import { runModels } from './run-models.ts'

const SHARED_IMAGES = join(sharedModels, '../images')
// sharp is the model server's dependency, not the scripts'; only what is used here is typed.
type Sharp = (input: { create: { width: number, height: number, channels: 3, background: string } }) => { png: () => { toFile: (path: string) => Promise<unknown> } }
const sharp = createRequire(join(repoRoot, 'services/model-server/package.json'))('sharp') as Sharp

/** cat_720p, eagle and owl (clear cases for the CIFAR-10 models), plus a cut JPEG, a text file and a 48-megapixel PNG. */
async function folderWithBadFiles (): Promise<string> {
  const dir = await tempDir('compare-images-')
  for (const name of ['cat_720p.jpg', 'eagle.jpg', 'owl.jpg']) await copyFile(join(SHARED_IMAGES, name), join(dir, name))
  const dog = await readFile(join(SHARED_IMAGES, 'dog.jpg'))
  await writeFile(join(dir, 'cut.jpg'), dog.subarray(0, dog.length / 2))
  await writeFile(join(dir, 'notes.txt'), 'not an image')
  await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'huge.png'))
  return dir
}

describe('the labels file', () => {
  it('reads file,label lines, with comments, a header, labels holding commas and several right answers', () => {
    const labels = parseLabelsFile('file,label\n# a comment\ncat.jpg,Cat|tabby, tabby cat\n\neagle.jpg,bird\n', 'labels.csv')
    expect([...labels]).toEqual([['cat.jpg', ['cat', 'tabby, tabby cat']], ['eagle.jpg', ['bird']]])
    expect(() => parseLabelsFile('file,label\ncat.jpg\n', 'labels.csv')).toThrow('labels.csv, line 2: expected "file,label", got "cat.jpg".')
    expect(() => parseLabelsFile('# nothing\n', 'labels.csv')).toThrow('labels.csv: no "file,label" lines.')
  })
})

describe('pnpm models compare', () => {
  it('compares resnet and resnet-int8 on the images both take, lists the others with their errors, and gives the same figures as JSON', async () => {
    const images = await folderWithBadFiles()
    const labels = join(images, '..', `labels-${Date.now()}.csv`)
    await writeFile(labels, 'file,label\ncat_720p.jpg,cat\neagle.jpg,bird\nowl.jpg,bird\nmissing.jpg,dog\n')

    const json = await runModels(['compare', 'resnet', join(sharedModels, 'resnet-int8'), '--images', images, '--labels', labels, '--json'], sharedModels)
    expect(json.stderr).not.toContain('\r')
    expect(json.code).toBe(0)
    const c = JSON.parse(json.stdout) as Comparison
    expect(c.images).toMatchObject({ folder: images, total: 6, compared: 3 })
    expect(Object.fromEntries(c.images.excluded.map((e) => [e.file, Object.values(e.errors).map((m) => m.split(':')[0])]))).toEqual({
      'cut.jpg': ['IMAGE_UNDECODABLE', 'IMAGE_UNDECODABLE'],
      'huge.png': ['IMAGE_TOO_LARGE', 'IMAGE_TOO_LARGE'],
      'notes.txt': ['IMAGE_UNSUPPORTED_TYPE', 'IMAGE_UNSUPPORTED_TYPE']
    })
    const [fp32, int8] = c.models
    expect([fp32.id, fp32.classes, int8.id, int8.ref]).toEqual(['resnet', 10, 'resnet-int8', join(sharedModels, 'resnet-int8')])
    expect(fp32.fileBytes).toBe((await readFile(join(sharedModels, 'resnet/model.onnx'))).length)
    expect(int8.fileBytes).toBe((await readFile(join(sharedModels, 'resnet-int8/model.onnx'))).length)
    for (const m of c.models) {
      expect(m.peakRssBytes).toBeGreaterThan(m.fileBytes)
      expect(m.latencyMs.batch1.p50).toBeGreaterThan(0)
      expect(m.latencyMs.batch1.p99).toBeGreaterThanOrEqual(m.latencyMs.batch1.p50!)
      expect(m.latencyMs.batch8.p50).toBeGreaterThan(0)
      expect(m.imagesPerSecond.batch8).toBeCloseTo(8000 / m.latencyMs.batch8.p50!, 0)
      expect(m.accuracy?.labelled).toBe(3)
    }
    // The float model gets these three clear cases right (../shared/models/README.md).
    expect(fp32.accuracy).toMatchObject({ top1: 1, top5: 1 })
    expect(c.unknownLabelledFiles).toEqual(['missing.jpg'])
    expect(c.agreement!.top1).toBeCloseTo(1 - c.disagreements.length / 3, 4)
    expect(c.agreement!.top5Overlap).toBeGreaterThan(0)
    expect(c.agreement!.meanAbsTop1ProbabilityDelta).toBeLessThan(0.5)

    const table = await runModels(['compare', 'resnet', 'resnet-int8', '--images', images], sharedModels)
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^top-1 agreement\s+\d+\.\d %/m)
    expect(table.stdout).toMatch(/^throughput, batch 8\s+[\d.]+ img\/s\s+[\d.]+ img\/s$/m)
    expect(table.stdout).toContain('left out notes.txt: IMAGE_UNSUPPORTED_TYPE: The data is not a JPEG, PNG, WebP, GIF, AVIF or TIFF image. (both)')
    expect(table.stdout).not.toContain('accuracy')
    expect(table.stderr).toContain('resnet on 6 files ...')
  })

  it('refuses two different label sets, unless --labels lets each one\'s accuracy be compared', async () => {
    const images = await tempDir('compare-images-')
    for (const name of ['cat_720p.jpg', 'eagle.jpg']) await copyFile(join(SHARED_IMAGES, name), join(images, name))
    const refused = await runModels(['compare', 'resnet', 'mobilenet', '--images', images], sharedModels)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('resnet (10 classes: airplane, automobile, bird, …) and mobilenet (1000 classes: tench, goldfish, great white shark, …) have different label sets')
    expect(refused.stderr).toContain('Give --labels')
    expect(refused.stdout).toBe('')

    const labels = join(images, 'labels.csv')
    await writeFile(labels, 'file,label\ncat_720p.jpg,cat|tabby|tiger cat|Egyptian cat\neagle.jpg,bird|bald eagle|kite\n')
    const run = await runModels(['compare', 'resnet', 'mobilenet', '--images', images, '--labels', labels, '--json'], sharedModels)
    expect(run.code).toBe(0)
    const c = JSON.parse(run.stdout) as Comparison
    expect(c.agreement).toBeNull()
    expect(c.images.excluded.map((e) => e.file)).toEqual(['labels.csv'])
    expect(c.models.map((m) => m.accuracy?.labelled)).toEqual([2, 2])
    expect(c.models[0].accuracy).toMatchObject({ top1: 1 })
  })

  it('says what is wrong with its arguments', async () => {
    expect(await runModels(['compare', 'resnet'], sharedModels)).toMatchObject({ code: 2, stderr: expect.stringContaining('compare takes two models') })
    const unknown = await runModels(['compare', 'resnet', 'vgg'], sharedModels)
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('"vgg" is neither a bundle folder nor a model in') })
    expect(await runModels(['compare', 'resnet', 'resnet-int8', '--images', join(repoRoot, 'nowhere')], sharedModels)).toMatchObject({ code: 1, stderr: expect.stringContaining('not a folder') })
  })
})
