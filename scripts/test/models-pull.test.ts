import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadBundle } from '../../services/model-server/src/bundle/load-bundle.ts'
import { parseManifest } from '../../services/model-server/src/bundle/manifest.ts'
import { pullModels } from '../models/pull.ts'
import { checkBundle, sha256File } from '../models/verify.ts'
import { LABELS_FILE, makeMirror, MODEL_FILE, resnetDir, serveMirror, tempDir, writeCatalog } from './mirror.ts'

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
    expect([...server.requests].sort()).toEqual([`/good/${MODEL_FILE}`, `/good/${LABELS_FILE}`])
    expect(await checkBundle(join(modelsDir, 'resnet'))).toMatchObject({ ok: true })
  })

  it('refuses an unknown model id before fetching anything', async () => {
    const { mirror, server, modelsDir, url } = await setup()
    const catalogDir = await writeCatalog(mirror, [url('good', MODEL_FILE)], [url('good', LABELS_FILE)])

    await expect(pullModels({ modelsDir, catalogDir, ids: ['resnet', 'resnt'] })).rejects.toThrow('Unknown model id "resnt": the catalog')
    expect(server.requests).toEqual([])
  })
})
