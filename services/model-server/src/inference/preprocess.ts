import type { Manifest } from '../bundle/manifest.ts'
import type { Pixels } from '../image/decode.ts'

type Normalisation = Pick<Manifest['input'], 'scale' | 'mean' | 'std'>

/**
 * Writes RGB pixels (HWC bytes) into `target` at `offset` as NCHW float32:
 * value = (pixel / scale - mean[c]) / std[c]. Writing in place lets a batch share one buffer.
 */
export function writeTensor (pixels: Pixels, norm: Normalisation, target: Float32Array, offset = 0): void {
  const plane = pixels.width * pixels.height
  if (target.length < offset + 3 * plane) throw new RangeError('tensor buffer too small for the image')
  const { data } = pixels
  for (let c = 0; c < 3; c++) {
    const a = 1 / (norm.scale * norm.std[c]!)
    const b = norm.mean[c]! / norm.std[c]!
    const base = offset + c * plane
    for (let i = 0, p = c; i < plane; i++, p += 3) target[base + i] = data[p]! * a - b
  }
}

export function toTensor (pixels: Pixels, norm: Normalisation): Float32Array {
  const out = new Float32Array(3 * pixels.width * pixels.height)
  writeTensor(pixels, norm, out)
  return out
}
