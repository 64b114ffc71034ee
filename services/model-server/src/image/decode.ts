import sharp, { type Metadata } from 'sharp'
import type { Manifest } from '../bundle/manifest.ts'
import { ImageTooLarge, ImageUndecodable, ImageUnsupportedType } from '../errors.ts'
import { sniffImageFormat } from './sniff.ts'

/** RGB pixels, row-major, 3 bytes a pixel, already resized and cropped to the model's input size. */
export interface Pixels {
  data: Buffer
  width: number
  height: number
}

export interface DecodeOptions {
  /** Most pixels an input image may have (width x height of the first frame). */
  maxPixels: number
}

type InputSpec = Pick<Manifest['input'], 'width' | 'height' | 'resize'>

// EXIF orientations 5 to 8 turn the image a quarter, so width and height swap once rotated.
const QUARTER_TURNS = new Set([5, 6, 7, 8])

function toDecodeProblem (err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  if (/pixel limit/i.test(message)) return new ImageTooLarge('The image has more pixels than this service accepts.')
  return new ImageUndecodable(`The image data is truncated or corrupt (${message.split('\n')[0]?.slice(0, 200)}).`)
}

/** The size whose shorter side is `shorterSide`, keeping the aspect ratio (as the reference predictions do). */
export function resizedSize (width: number, height: number, shorterSide: number): { width: number, height: number } {
  return width <= height
    ? { width: shorterSide, height: Math.max(shorterSide, Math.round(height * shorterSide / width)) }
    : { width: Math.max(shorterSide, Math.round(width * shorterSide / height)), height: shorterSide }
}

/**
 * Decodes an image off the event loop with sharp (libvips threads): first frame only, EXIF orientation
 * applied, alpha dropped, greyscale expanded, then resized so the shorter side matches the model and
 * centre-cropped to its input size.
 */
export async function decodeForModel (bytes: Buffer, input: InputSpec, opts: DecodeOptions): Promise<Pixels> {
  const format = sniffImageFormat(bytes)
  if (format === undefined) {
    throw new ImageUnsupportedType('The data is not a JPEG, PNG, WebP, GIF, AVIF or TIFF image.')
  }
  const sharpOptions = { limitInputPixels: opts.maxPixels, failOn: 'warning', pages: 1 } as const
  let meta: Metadata
  try {
    meta = await sharp(bytes, sharpOptions).metadata()
  } catch (err) {
    throw toDecodeProblem(err)
  }
  if (meta.width === undefined || meta.height === undefined) throw new ImageUndecodable('The image has no size.')
  const pageHeight = meta.pageHeight ?? meta.height
  if (meta.width * pageHeight > opts.maxPixels) {
    throw new ImageTooLarge(`The image is ${meta.width}x${pageHeight} pixels, over the limit of ${opts.maxPixels}.`)
  }
  const turned = QUARTER_TURNS.has(meta.orientation ?? 1)
  const size = resizedSize(turned ? pageHeight : meta.width, turned ? meta.width : pageHeight, input.resize.shorterSide)
  try {
    const { data, info } = await sharp(bytes, sharpOptions)
      .rotate()
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .extract({
        left: Math.floor((size.width - input.width) / 2),
        top: Math.floor((size.height - input.height) / 2),
        width: input.width,
        height: input.height
      })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`)
    return { data, width: info.width, height: info.height }
  } catch (err) {
    throw toDecodeProblem(err)
  }
}
