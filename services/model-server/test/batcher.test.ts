import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { Bundle } from '../src/bundle/load-bundle.ts'
import { decodeForModel, type Pixels } from '../src/image/decode.ts'
import { createBatcher } from '../src/inference/batcher.ts'
import { type Classifier, createClassifier } from '../src/inference/classifier.ts'
import { SHARED_IMAGES, classifierOptions, loadShared } from './build.ts'

describe('createBatcher', () => {
  it('gathers items that arrive together into one run, up to the maximum batch', async () => {
    const sizes: number[] = []
    const batcher = createBatcher<number, number>({
      maxBatch: 4, maxWaitMs: 5, maxQueue: 100, run: async (items) => items.map((i) => i * 2), onBatch: (n) => sizes.push(n)
    })
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(i)))
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 2))
    expect(sizes).toEqual([4, 4, 2])
  })

  it('runs one item at a time when the maximum batch is 1', async () => {
    const sizes: number[] = []
    const batcher = createBatcher<number, number>({ maxBatch: 1, maxWaitMs: 2, maxQueue: 100, run: async (items) => items, onBatch: (n) => sizes.push(n) })
    await Promise.all([1, 2, 3].map((i) => batcher.submit(i)))
    expect(sizes).toEqual([1, 1, 1])
  })

  it('refuses with 503 OVERLOADED and Retry-After when the queue is full', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    const batcher = createBatcher<number, number>({ maxBatch: 1, maxWaitMs: 0, maxQueue: 2, run: async (items) => { await gate; return items } })
    const running = batcher.submit(1)
    const queued = [batcher.submit(2), batcher.submit(3)]
    expect(batcher.depth()).toBe(2)
    await expect(batcher.submit(4)).rejects.toMatchObject({ code: 'OVERLOADED', status: 503, headers: { 'retry-after': '1' } })
    release()
    expect(await Promise.all([running, ...queued])).toEqual([1, 2, 3])
  })

  it('rejects every item of a batch whose run fails, and keeps serving', async () => {
    let fail = true
    const batcher = createBatcher<number, number>({ maxBatch: 4, maxWaitMs: 1, maxQueue: 10, run: async (items) => { if (fail) throw new Error('boom'); return items } })
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)])
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    fail = false
    expect(await batcher.submit(3)).toBe(3)
  })
})

describe('batched inference', () => {
  let bundle: Bundle
  let batched: Classifier
  let sequential: Classifier
  beforeAll(async () => {
    ({ bundle, classifier: batched } = await loadShared('mobilenet', { maxBatch: 8, maxWaitMs: 5 }))
    sequential = await createClassifier(bundle, { ...classifierOptions, maxBatch: 1 })
  })
  afterAll(async () => { await batched.close(); await sequential.close() })

  it('gives the same answers batched as one at a time', async () => {
    const names = ['cat_720p.jpg', 'dog.jpg', 'eagle.jpg', 'hot_dog.jpg', 'owl.jpg', 'kite.jpg']
    const images: Pixels[] = await Promise.all(names.map(async (n) => await decodeForModel(readFileSync(`${SHARED_IMAGES}${n}`), bundle.manifest.input, { maxPixels: 4e7 })))
    const together = await Promise.all(images.map(async (p) => await batched.classify(p, 5)))
    const alone: typeof together = []
    for (const p of images) alone.push(await sequential.classify(p, 5))
    together.forEach((t, i) => {
      expect(t.predictions.map((p) => p.index)).toEqual(alone[i]!.predictions.map((p) => p.index))
      t.probabilities.forEach((v, c) => expect(v).toBeCloseTo(alone[i]!.probabilities[c]!, 5))
    })
  })
})

describe('createBatcher without company coming', () => {
  it('starts a batch at once when nothing else is on its way, instead of waiting', async () => {
    vi.useFakeTimers()
    onTestFinished(() => { vi.useRealTimers() })
    let upcoming = 0
    const runs: number[][] = []
    const batcher = createBatcher<number, number>({ maxBatch: 8, maxWaitMs: 1000, maxQueue: 10, upcoming: () => upcoming, run: async (items) => { runs.push(items); return items } })
    void batcher.submit(1)
    expect(runs).toEqual([[1]])
    upcoming = 1
    const second = batcher.submit(2)
    await vi.advanceTimersByTimeAsync(999)
    expect(runs).toEqual([[1]])
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toEqual([[1], [2]])
    expect(await second).toBe(2)
  })
})
