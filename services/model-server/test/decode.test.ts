import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeForModel, resizedSize } from '../src/image/decode.ts'
import { SHARED_IMAGES } from './build.ts'

const spec = { width: 4, height: 4, resize: { shorterSide: 4, crop: 'center' as const } }
const opts = { maxPixels: 40_000_000 }

/** Mean of each RGB channel of decoded pixels. */
function means (data: Buffer): number[] {
  const sums = [0, 0, 0]
  for (let i = 0; i < data.length; i++) sums[i % 3]! += data[i]!
  return sums.map((s) => s / (data.length / 3))
}

describe('decodeForModel', () => {
  it('resizes the shorter side and centre-crops to the model input', async () => {
    expect(resizedSize(1280, 720, 32)).toEqual({ width: 57, height: 32 })
    expect(resizedSize(500, 500, 256)).toEqual({ width: 256, height: 256 })
    const pixels = await decodeForModel(readFileSync(`${SHARED_IMAGES}cat_720p.jpg`), { width: 224, height: 224, resize: { shorterSide: 256, crop: 'center' } }, opts)
    expect([pixels.width, pixels.height, pixels.data.length]).toEqual([224, 224, 224 * 224 * 3])
  })

  it('honours EXIF orientation', async () => {
    // Left half red, right half blue, stored with orientation 6 (turn 90° clockwise to display):
    // displayed, red is on top.
    const stored = await sharp({ create: { width: 8, height: 4, channels: 3, background: '#0000ff' } })
      .composite([{ input: { create: { width: 4, height: 4, channels: 3, background: '#ff0000' } }, left: 0, top: 0 }])
      .jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer()
    const pixels = await decodeForModel(stored, { width: 4, height: 8, resize: { shorterSide: 4, crop: 'center' } }, opts)
    const top = means(pixels.data.subarray(0, 4 * 3 * 3))
    const bottom = means(pixels.data.subarray(pixels.data.length - 4 * 3 * 3))
    expect(top[0]).toBeGreaterThan(200)
    expect(top[2]).toBeLessThan(60)
    expect(bottom[2]).toBeGreaterThan(200)
  })

  it('drops alpha and expands greyscale to RGB', async () => {
    const rgba = await sharp({ create: { width: 6, height: 6, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } }).png().toBuffer()
    const fromRgba = await decodeForModel(rgba, spec, opts)
    expect(fromRgba.data.length).toBe(4 * 4 * 3)
    // Alpha is dropped, not blended onto a background: the colour stays (±2 for premultiplication).
    means(fromRgba.data).forEach((v, c) => expect(Math.abs(v - [10, 200, 30][c]!)).toBeLessThanOrEqual(2))
    const grey = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#646464' } }).toColourspace('b-w').png().toBuffer()
    expect((await sharp(grey).metadata()).channels).toBe(1)
    const fromGrey = await decodeForModel(grey, spec, opts)
    expect(means(fromGrey.data).map(Math.round)).toEqual([100, 100, 100])
  })

  it('uses the first frame of an animated GIF', async () => {
    const red = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#ff0000' } }).raw().toBuffer()
    const green = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#00ff00' } }).raw().toBuffer()
    const gif = await sharp(Buffer.concat([red, green]), { raw: { width: 6, height: 12, channels: 3, pageHeight: 6 } as any })
      .gif().toBuffer()
    expect((await sharp(gif, { pages: -1 }).metadata()).pages).toBe(2)
    const pixels = await decodeForModel(gif, spec, opts)
    const [r, g] = means(pixels.data)
    expect(r).toBeGreaterThan(200)
    expect(g).toBeLessThan(60)
  })

  it('accepts WebP, TIFF and AVIF as well as JPEG, PNG and GIF', async () => {
    const base = sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
    for (const format of ['webp', 'tiff', 'avif', 'png', 'jpeg', 'gif'] as const) {
      const bytes = await base.clone().toFormat(format).toBuffer()
      const pixels = await decodeForModel(bytes, spec, opts)
      expect(pixels.data.length, format).toBe(4 * 4 * 3)
    }
  })
})
