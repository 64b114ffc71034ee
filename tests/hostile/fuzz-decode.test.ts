// Fuzzes the model service's image preprocessing: sniffing and decoding arbitrary bytes, and real
// images mutated (bit flips, cuts, insertions, forged sizes), end in pixels or one of three problems.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { isProblemError } from '@modelgate/server-kit'
import { decodeForModel } from '../../services/model-server/src/image/decode.ts'
import { sniffImageFormat } from '../../services/model-server/src/image/sniff.ts'
import { SHARED_IMAGES } from '../helpers/spawn.ts'

const DECODE_CODES = ['IMAGE_UNSUPPORTED_TYPE', 'IMAGE_UNDECODABLE', 'IMAGE_TOO_LARGE']
const INPUT = { width: 32, height: 32, resize: { shorterSide: 32, crop: 'center' as const } }
const MAGIC = [[0xff, 0xd8, 0xff], [...Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')], [...Buffer.from('GIF89a')], [...Buffer.from('RIFF\0\0\0\0WEBP')], [...Buffer.from('II*\0')], [...Buffer.from('\0\0\0\x1cftypavif', 'latin1')]]

/** Decodes and classifies the outcome; anything but pixels or the three problems fails the property. */
async function decodeOutcome (bytes: Buffer, maxPixels = 40_000_000): Promise<string> {
  try {
    const pixels = await decodeForModel(bytes, INPUT, { maxPixels })
    expect(pixels.data.length).toBe(INPUT.width * INPUT.height * 3)
    return 'pixels'
  } catch (err) {
    if (!isProblemError(err) || !DECODE_CODES.includes(err.code)) throw err
    return err.code
  }
}

type Mutation = { kind: 'flip' | 'set' | 'cut' | 'insert' | 'u16', at: number, value: number }

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'set', 'cut', 'insert', 'u16'),
  at: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x),
  value: fc.nat(0xffff)
}) as fc.Arbitrary<Mutation>

// The first 12 bytes stay as they are, so the data still sniffs as its format and reaches the decoder.
const KEEP = 12

function mutate (bytes: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(bytes)
  for (const m of mutations) {
    // Headers are where forged sizes and types live: half the mutations land in the next 52 bytes.
    const at = KEEP + Math.floor(m.at < 0.5 ? m.at * 2 * 52 : m.at * (out.length - KEEP))
    if (at >= out.length) continue
    if (m.kind === 'flip') out[at] = (out[at] ?? 0) ^ (1 << (m.value % 8))
    else if (m.kind === 'set') out[at] = m.value & 0xff
    else if (m.kind === 'cut') out = out.subarray(0, at)
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.alloc(m.value % 64, m.value & 0xff), out.subarray(at)])
    else if (at + 2 <= out.length) out.writeUInt16BE(m.value, at)
  }
  return out
}

describe('image sniffing and decoding under arbitrary bytes', () => {
  const images: Record<string, Buffer> = {}
  beforeAll(async () => {
    const photo = sharp(readFileSync(`${SHARED_IMAGES}owl.jpg`)).resize(48, 40)
    images.jpeg = await photo.clone().jpeg({ quality: 70 }).toBuffer()
    images.png = await photo.clone().png().toBuffer()
    images.webp = await photo.clone().webp({ quality: 60 }).toBuffer()
    images.gif = await photo.clone().gif().toBuffer()
    images.tiff = await photo.clone().tiff().toBuffer()
  })

  it('sniffs any bytes without throwing', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(() => sniffImageFormat(bytes)).not.toThrow()
    }), { numRuns: 1000 })
  })

  it('decodes random bytes behind every accepted magic number to pixels or one of three problems', async () => {
    const bytes = fc.tuple(fc.constantFrom(...MAGIC), fc.uint8Array({ maxLength: 512 })).map(([magic, rest]) => Buffer.concat([Buffer.from(magic), rest]))
    await fc.assert(fc.asyncProperty(fc.oneof(bytes, fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b))), async (b) => {
      await decodeOutcome(b)
    }), { numRuns: 300 })
  })

  it('decodes mutated JPEG, PNG, WebP, GIF and TIFF photos to pixels or one of three problems', async () => {
    const outcomes = new Set<string>()
    await fc.assert(fc.asyncProperty(fc.constantFrom('jpeg', 'png', 'webp', 'gif', 'tiff'), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(),
      async (format, mutations, tightLimit) => {
        outcomes.add(await decodeOutcome(mutate(images[format] ?? Buffer.alloc(0), mutations), tightLimit ? 1000 : 40_000_000))
      }), { numRuns: 400 })
    // Mutations that only ever broke the magic number would test nothing past the sniffer.
    expect([...outcomes].sort()).toEqual(['IMAGE_TOO_LARGE', 'IMAGE_UNDECODABLE', 'pixels'])
  })

  it('still decodes the unmutated photos (the mutations above start from real images)', async () => {
    for (const bytes of Object.values(images)) expect(await decodeOutcome(bytes)).toBe('pixels')
    expect(await decodeOutcome(images.png ?? Buffer.alloc(0), 1000)).toBe('IMAGE_TOO_LARGE')
  })
})
