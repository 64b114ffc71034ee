import { cp, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadBundle } from '../../services/model-server/src/bundle/load-bundle.ts'
import { parseManifest } from '../../services/model-server/src/bundle/manifest.ts'
import { pullModels } from '../models/pull.ts'
import { checkBundle, sha256File } from '../models/verify.ts'
import { LABELS_FILE, makeMirror, MODEL_FILE, resnetDir, serveMirror, sharedModels, tempDir, writeCatalog } from './mirror.ts'

async function setup () {
  const mirror = await makeMirror()
  const server = await serveMirror(mirror.root)
  const modelsDir = await tempDir()
  const url = (folder: string, file: string): string => `${server.base}/${folder}/${file}`
  return { mirror, server, modelsDir, url }
}

/** Every file left in the bundle folder, or [] when the folder is gone. */
async function filesIn (dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).sort()
}

describe('pnpm models pull', () => {
  it('pulls a bundle that parseManifest accepts and whose sha256 matches', async () => {
    const { mirror, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('good', MODEL_FILE)], [url('good', LABELS_FILE)])

    const results = await pullModels({ modelsDir, catalogDir })

    expect(results).toMatchObject([{ id: 'resnet', status: 'pulled' }])
    const dir = join(modelsDir, 'resnet')
    expect(await filesIn(dir)).toEqual(['labels.txt', 'model.json', MODEL_FILE])
    const manifest = parseManifest(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')), 'model.json')
    expect(manifest).toMatchObject({ id: 'resnet', file: MODEL_FILE, sha256: mirror.model.sha256, bytes: mirror.model.bytes })
    expect(await sha256File(join(dir, MODEL_FILE))).toBe(manifest.sha256)
    // The synset ids are stripped: the bundle's labels are the plain class names.
    expect(await readFile(join(dir, 'labels.txt'), 'utf8')).toBe(await readFile(join(resnetDir, 'labels.txt'), 'utf8'))
    expect(await checkBundle(dir)).toMatchObject({ ok: true })
    // The model service itself accepts it.
    expect((await loadBundle(dir)).labels).toHaveLength(10)
  })

  it('skips a bundle that is already complete and verified, without a request', async () => {
    const { mirror, server, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('good', MODEL_FILE)], [url('good', LABELS_FILE)])
    await pullModels({ modelsDir, catalogDir })
    const requests = server.requests.length

    expect(await pullModels({ modelsDir, catalogDir })).toMatchObject([{ status: 'present' }])
    expect(server.requests.length).toBe(requests)
  })

  it('downloads again a bundle whose model file was damaged', async () => {
    const { mirror, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('good', MODEL_FILE)], [url('good', LABELS_FILE)])
    await pullModels({ modelsDir, catalogDir })
    await writeFile(join(modelsDir, 'resnet', MODEL_FILE), 'damaged')

    expect(await pullModels({ modelsDir, catalogDir })).toMatchObject([{ status: 'pulled' }])
    expect(await checkBundle(join(modelsDir, 'resnet'))).toMatchObject({ ok: true })
  })

  it('refuses a wrong checksum and leaves no partial bundle', async () => {
    const { mirror, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('corrupt', MODEL_FILE)], [url('good', LABELS_FILE)])

    const [result] = await pullModels({ modelsDir, catalogDir })

    expect(result?.status).toBe('failed')
    const got = await sha256File(join(mirror.root, 'corrupt', MODEL_FILE))
    expect(result?.error).toContain(`Could not fetch ${MODEL_FILE}`)
    expect(result?.error).toContain(`sha256 mismatch: expected ${mirror.model.sha256}, got ${got}`)
    expect(await filesIn(join(modelsDir, 'resnet'))).toEqual([])
  })

  it('refuses a file of the wrong size', async () => {
    const { mirror, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('short', MODEL_FILE)], [url('good', LABELS_FILE)])

    const [result] = await pullModels({ modelsDir, catalogDir })

    expect(result?.status).toBe('failed')
    expect(result?.error).toContain(`size mismatch: expected ${mirror.model.bytes} bytes, got ${mirror.model.bytes >> 1} bytes`)
    expect(await filesIn(join(modelsDir, 'resnet'))).toEqual([])
  })

  it('refuses a Git LFS pointer with a clear message', async () => {
    const { mirror, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('pointer', MODEL_FILE)], [url('good', LABELS_FILE)])

    const [result] = await pullModels({ modelsDir, catalogDir })

    expect(result?.status).toBe('failed')
    expect(result?.error).toContain(url('pointer', MODEL_FILE))
    expect(result?.error).toMatch(/got a Git LFS pointer \(\d+ bytes of text\) instead of the file/)
    expect(await filesIn(join(modelsDir, 'resnet'))).toEqual([])
  })

  it('uses the second URL when the first fails, and says why the first was refused', async () => {
    const { mirror, server, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('missing', MODEL_FILE), url('pointer', MODEL_FILE), url('good', MODEL_FILE)],
      [url('missing', LABELS_FILE), url('good', LABELS_FILE)])
    const notes: string[] = []

    const results = await pullModels({ modelsDir, catalogDir, progress: { note: (line) => notes.push(line), start () {}, advance () {}, end () {} } })

    expect(results).toMatchObject([{ status: 'pulled' }])
    expect(server.requests).toEqual(expect.arrayContaining([`/missing/${MODEL_FILE}`, `/pointer/${MODEL_FILE}`, `/good/${MODEL_FILE}`]))
    expect(notes.join('\n')).toContain(`${url('missing', MODEL_FILE)}: HTTP 404`)
    expect(await checkBundle(join(modelsDir, 'resnet'))).toMatchObject({ ok: true })
  })

  it('gives up on a source that stops sending and moves to the next', async () => {
    const { mirror, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('stall', MODEL_FILE), url('good', MODEL_FILE)], [url('good', LABELS_FILE)])
    const notes: string[] = []

    const results = await pullModels({ modelsDir, catalogDir, idleMs: 300, progress: { note: (line) => notes.push(line), start () {}, advance () {}, end () {} } })

    expect(results).toMatchObject([{ status: 'pulled' }])
    expect(notes.join('\n')).toContain(`${url('stall', MODEL_FILE)}: no data for 0.3 s`)
    expect(await filesIn(join(modelsDir, 'resnet'))).toEqual(['labels.txt', 'model.json', MODEL_FILE])
  })

  it('pulls the same file names from a mirror folder with --from, ignoring the catalog URLs', async () => {
    const { mirror, server, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('missing', MODEL_FILE)], [url('missing', LABELS_FILE)])

    const results = await pullModels({ modelsDir, catalogDir, from: join(mirror.root, 'good') })

    expect(results).toMatchObject([{ status: 'pulled' }])
    expect(server.requests).toEqual([])
    expect(await checkBundle(join(modelsDir, 'resnet'))).toMatchObject({ ok: true })
  })

  it('pulls from a loopback base URL with --from', async () => {
    const { mirror, server, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('missing', MODEL_FILE)], [url('missing', LABELS_FILE)])

    const results = await pullModels({ modelsDir, catalogDir, from: `${server.base}/good` })

    expect(results).toMatchObject([{ status: 'pulled' }])
    // First the question whether the mirror holds the whole bundle (404), then the catalog's files.
    expect([...server.requests].sort()).toEqual(['/good/resnet/model.json', `/good/${MODEL_FILE}`, `/good/${LABELS_FILE}`])
    expect(await checkBundle(join(modelsDir, 'resnet'))).toMatchObject({ ok: true })
  })

  it('refuses an unknown model id before fetching anything', async () => {
    const { mirror, server, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('good', MODEL_FILE)], [url('good', LABELS_FILE)])

    await expect(pullModels({ modelsDir, catalogDir, ids: ['resnet', 'resnt'] })).rejects.toThrow('Unknown model id "resnt": the catalog')
    expect(server.requests).toEqual([])
  })
})

describe('pnpm models pull --from a mirror of bundles', () => {
  /** A mirror of bundles with one folder, resnet/, copied from the shared bundle and then changed by `change`. */
  async function bundleMirror (change: (dir: string, manifest: Record<string, unknown>) => Promise<void> = async () => {}): Promise<string> {
    const root = await tempDir('bundle-mirror-')
    await cp(resnetDir, join(root, 'resnet'), { recursive: true })
    const manifest = JSON.parse(await readFile(join(root, 'resnet/model.json'), 'utf8')) as Record<string, unknown>
    await change(join(root, 'resnet'), manifest)
    await writeFile(join(root, 'resnet/model.json'), JSON.stringify(manifest))
    return root
  }
  const emptyCatalog = async (): Promise<string> => await tempDir('models-catalog-')

  it('pulls a whole bundle, as in ../shared/models, that no catalog entry describes', async () => {
    const modelsDir = await tempDir()

    const results = await pullModels({ modelsDir, catalogDir: await emptyCatalog(), ids: ['resnet', 'mobilenet'], from: sharedModels })

    expect(results).toMatchObject([{ id: 'resnet', status: 'pulled' }, { id: 'mobilenet', status: 'pulled' }])
    for (const id of ['resnet', 'mobilenet']) {
      const mirrored = JSON.parse(await readFile(join(sharedModels, id, 'model.json'), 'utf8')) as unknown
      expect(JSON.parse(await readFile(join(modelsDir, id, 'model.json'), 'utf8'))).toEqual(mirrored)
      expect(await filesIn(join(modelsDir, id))).toEqual(['labels.txt', 'model.json', 'model.onnx'])
      expect(await checkBundle(join(modelsDir, id))).toMatchObject({ ok: true })
    }
  })

  it('pulls from a loopback URL, and not again once the bundle is there', async () => {
    const server = await serveMirror(await bundleMirror())
    const modelsDir = await tempDir()

    expect(await pullModels({ modelsDir, catalogDir: await emptyCatalog(), ids: ['resnet'], from: server.base })).toMatchObject([{ status: 'pulled' }])
    expect([...server.requests].sort()).toEqual(['/resnet/labels.txt', '/resnet/model.json', '/resnet/model.onnx'])
    expect(await pullModels({ modelsDir, catalogDir: await emptyCatalog(), ids: ['resnet'], from: server.base })).toMatchObject([{ status: 'present' }])
    expect(server.requests.filter((path) => path === '/resnet/model.onnx')).toHaveLength(1)
  })

  it('refuses a model file that does not match its model.json sha256, naming it, and leaves nothing behind', async () => {
    const root = await bundleMirror(async (dir) => {
      const model = await readFile(join(dir, 'model.onnx'))
      model[model.length >> 1] = (model[model.length >> 1] ?? 0) ^ 0xff
      await writeFile(join(dir, 'model.onnx'), model)
    })
    const modelsDir = await tempDir()

    const [result] = await pullModels({ modelsDir, catalogDir: await emptyCatalog(), ids: ['resnet'], from: root })

    expect(result?.status).toBe('failed')
    expect(result?.error).toContain(`${join(root, 'resnet/model.onnx')}: sha256 mismatch`)
    expect(await filesIn(join(modelsDir, 'resnet'))).toEqual([])
  })

  it('checks the size when model.json gives one', async () => {
    const root = await bundleMirror(async (_dir, manifest) => { manifest.bytes = 1234 })
    const modelsDir = await tempDir()

    const [result] = await pullModels({ modelsDir, catalogDir: await emptyCatalog(), ids: ['resnet'], from: root })

    expect(result?.error).toContain('size mismatch: expected 1234 bytes')
    expect(await filesIn(join(modelsDir, 'resnet'))).toEqual([])
  })

  it('refuses a bundle of another id, and labels that do not match the classes', async () => {
    const otherId = await bundleMirror(async (_dir, manifest) => { manifest.id = 'mobilenet' })
    const fewLabels = await bundleMirror(async (dir) => { await writeFile(join(dir, 'labels.txt'), 'cat\ndog\n') })
    const modelsDir = await tempDir()

    const [wrongId] = await pullModels({ modelsDir, catalogDir: await emptyCatalog(), ids: ['resnet'], from: otherId })
    const [wrongLabels] = await pullModels({ modelsDir, catalogDir: await emptyCatalog(), ids: ['resnet'], from: fewLabels })

    expect(wrongId?.error).toBe(`${join(otherId, 'resnet/model.json')} is the bundle of "mobilenet", not of "resnet"`)
    expect(wrongLabels?.error).toBe('labels.txt has 2 classes, the model resnet has 10')
    expect(await filesIn(join(modelsDir, 'resnet'))).toEqual([])
  })

  it('refuses an id that is neither a bundle in the mirror nor in the catalog, before fetching anything', async () => {
    const server = await serveMirror(await bundleMirror())
    const catalogDir = await emptyCatalog()

    await expect(pullModels({ modelsDir: await tempDir(), catalogDir, ids: ['resnt', 'resnet'], from: server.base }))
      .rejects.toThrow(`Unknown model id "resnt": the mirror ${server.base} holds no resnt/model.json, and the catalog ${catalogDir} has no resnt.json.`)
    expect(server.requests).toEqual(['/resnt/model.json'])
  })
})
