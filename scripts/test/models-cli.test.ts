// The command itself, as a child process: exit codes and what it tells the user.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkBundle } from '../models/verify.ts'
import { LABELS_FILE, makeMirror, MODEL_FILE, resnetDir, serveMirror, tempDir, writeCatalog } from './mirror.ts'
import { runModels } from './run-models.ts'

describe('scripts/models.ts', () => {
  it('pulls from a loopback mirror URL and prints plain progress lines when stderr is not a terminal', async () => {
    const mirror = await makeMirror()
    const server = await serveMirror(mirror.root)
    const catalogDir = await writeCatalog(mirror, [`${server.base}/missing/${MODEL_FILE}`], [`${server.base}/missing/${LABELS_FILE}`])
    const modelsDir = await tempDir()

    const run = await runModels(['pull', 'resnet', '--catalog', catalogDir, '--from', `${server.base}/good/`], modelsDir)

    expect(run.stderr).toContain(`resnet: bundle ready in ${join(modelsDir, 'resnet')}`)
    expect(run.code).toBe(0)
    expect(run.stderr).not.toContain('\r')
    expect(await checkBundle(join(modelsDir, 'resnet'))).toMatchObject({ ok: true })
  })

  it('exits 1 and says what to do when nothing can be fetched', async () => {
    const mirror = await makeMirror()
    const catalogDir = await writeCatalog(mirror, ['http://127.0.0.1:9/unused'], ['http://127.0.0.1:9/unused'])
    const empty = await tempDir()
    const modelsDir = await tempDir()

    const run = await runModels(['pull', '--catalog', catalogDir, '--from', empty], modelsDir)

    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`${join(empty, LABELS_FILE)}: not found in the mirror folder`)
    expect(run.stderr).toContain('What to do:')
    expect(run.stderr).toContain('on a machine with internet access, run `pnpm models pull resnet`')
    expect(run.stderr).toContain(`holds ${MODEL_FILE}, ${LABELS_FILE}: \`pnpm models pull resnet --from <mirror>\``)
    expect(run.stderr).toContain('set MODELS_DIR to a folder that already holds the bundles')
  })

  it('adds a bundle, then verify reports it', async () => {
    const modelsDir = await tempDir()
    const added = await runModels(['add', '--id', 'mine', '--onnx', join(resnetDir, 'model.onnx'), '--labels', join(resnetDir, 'labels.txt'),
      '--mean', '0.5,0.5,0.5', '--std', '0.25,0.25,0.25'], modelsDir)
    expect(added.stderr).toContain('mine: bundle ready')
    expect(added.code).toBe(0)

    const verified = await runModels(['verify'], modelsDir)
    expect(verified.stderr).toContain('mine: ok')
    expect(verified.code).toBe(0)
  })

  it('exits 1 with the counts when add gets the wrong number of labels', async () => {
    const modelsDir = await tempDir()
    const labels = join(modelsDir, 'three.txt')
    await writeFile(labels, 'cat\ndog\nbird\n')

    const run = await runModels(['add', '--id', 'mine', '--onnx', join(resnetDir, 'model.onnx'), '--labels', labels], modelsDir)

    expect(run.code).toBe(1)
    expect(run.stderr.trim()).toBe(`${labels} has 3 labels, but output "logits" has 10 classes; give one label a line, in output order.`)
  })

  it('exits 2 with the usage on a bad option', async () => {
    const run = await runModels(['add', '--id', 'x', '--onnx', 'a.onnx', '--labels', 'l.txt', '--mean', '0.5,0.5'], await tempDir())
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--mean takes three numbers')
    expect(run.stderr).toContain('Usage:')
  })

  it('verify exits 1 for a folder that is not a complete bundle', async () => {
    const modelsDir = await tempDir()
    await mkdir(join(modelsDir, 'half'))
    await writeFile(join(modelsDir, 'half', MODEL_FILE), 'x')

    const run = await runModels(['verify'], modelsDir)

    expect(run.code).toBe(1)
    expect(run.stderr).toContain('half: NOT a complete bundle: no model.json')
  })
})
