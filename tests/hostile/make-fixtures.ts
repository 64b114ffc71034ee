// Writes the binary fixtures of the hostile corpus (tests/hostile/corpus/files/) from a shared photo.
// Run once after changing it: `npx tsx tests/hostile/make-fixtures.ts`; the output is committed, and
// every file stays a few KB (the whole folder well under 1 MB).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'

const OUT = fileURLToPath(new URL('./corpus/files/', import.meta.url))
const PHOTO = readFileSync(fileURLToPath(new URL('../../../shared/images/cat_720p.jpg', import.meta.url)))

const small = sharp(PHOTO).resize(64, 48)
const jpeg = await small.clone().jpeg({ quality: 80 }).toBuffer()
const png = await small.clone().png().toBuffer()
const webp = await small.clone().webp({ quality: 70 }).toBuffer()
const gif = await small.clone().gif().toBuffer()

function chunk (type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const out = Buffer.alloc(8 + data.length + 4)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE(crc32(body), 8 + data.length)
  return out
}

/** A PNG with valid chunks and CRCs: `rows` rows of `rowBytes` zero bytes (filter byte included). */
function pngOf (width: number, height: number, bitDepth: number, colourType: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.writeUInt8(bitDepth, 8)
  ihdr.writeUInt8(colourType, 9)
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])
}

/** Rewrites the frame size in a JPEG's first SOF marker. */
function jpegClaiming (bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes)
  for (let i = 2; i < out.length - 9;) {
    const marker = out[i + 1] ?? 0
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.writeUInt16BE(height, i + 5)
      out.writeUInt16BE(width, i + 7)
      return out
    }
    i += 2 + out.readUInt16BE(i + 2)
  }
  throw new Error('no SOF marker')
}

/** A one-file ZIP archive (stored, no compression) holding `name`. */
function zipOf (name: string, content: string): Buffer {
  const data = Buffer.from(content)
  const fileName = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(10, 4)
  local.writeUInt32LE(crc32(data), 14)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(fileName.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(10, 6)
  central.writeUInt32LE(crc32(data), 16)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(fileName.length, 28)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(46 + fileName.length, 12)
  end.writeUInt32LE(30 + fileName.length + data.length, 16)
  return Buffer.concat([local, fileName, data, central, fileName, end])
}

/** Overwrites `length` bytes from `at` (default: the middle) with a repeating junk byte. */
function corrupted (bytes: Buffer, length: number, junk: number, at = Math.floor(bytes.length / 2)): Buffer {
  const out = Buffer.from(bytes)
  out.fill(junk, at, at + length)
  return out
}

/** Sets both the logical screen and the first frame of a GIF to width x height. */
function gifClaiming (bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes)
  out.writeUInt16LE(width, 6)
  out.writeUInt16LE(height, 8)
  const packed = out[10] ?? 0
  let i = 13 + ((packed & 0x80) !== 0 ? 3 * 2 ** ((packed & 7) + 1) : 0)
  // Skip extension blocks (0x21 label, then sub-blocks until a zero length) up to the image descriptor.
  while (out[i] === 0x21) {
    i += 2
    while ((out[i] ?? 0) !== 0) i += (out[i] ?? 0) + 1
    i++
  }
  if (out[i] !== 0x2c) throw new Error('no GIF image descriptor')
  out.writeUInt16LE(width, i + 5)
  out.writeUInt16LE(height, i + 7)
  return out
}

const half = (bytes: Buffer): Buffer => bytes.subarray(0, Math.floor(bytes.length / 2))

// 10000 x 10000 1-bit grey: 12.5 MB of zero rows deflate to about 12 KB, and 100 million pixels
// (300 MB as RGB) would come out of a decoder that does not check the size first.
const bombRows = Buffer.alloc(10_000 * (1 + 10_000 / 8))
const files: Record<string, Buffer> = {
  'truncated.jpg': half(jpeg),
  'corrupt.jpg': corrupted(jpeg, 400, 0x00),
  'header-only.jpg': jpeg.subarray(0, 20),
  'truncated.png': half(png),
  'corrupt-crc.png': corrupted(png, 64, 0xaa),
  'truncated.webp': half(webp),
  // The VP8 frame header (after RIFF, WEBP and the chunk header) is what a decoder must trust first.
  'corrupt.webp': corrupted(webp, 16, 0xff, 20),
  'truncated.gif': half(gif),
  'pixel-bomb.png': pngOf(100_000, 100_000, 8, 2, deflateSync(Buffer.alloc(64))),
  'pixel-bomb.jpg': jpegClaiming(jpeg, 65_500, 65_500),
  'pixel-bomb.gif': gifClaiming(gif, 65_535, 65_535),
  'decompression-bomb.png': pngOf(10_000, 10_000, 1, 0, deflateSync(bombRows, { level: 9 })),
  'script.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">' +
    '<image xlink:href="http://127.0.0.1:9/ssrf.png" width="64" height="64"/><script>alert(1)</script></svg>\n'),
  'jpeg-zip-polyglot.jpg': Buffer.concat([jpeg, zipOf('payload.txt', 'hello from inside a JPEG')]),
  'zip-jpeg-polyglot.zip': Buffer.concat([zipOf('payload.txt', 'a ZIP first'), jpeg]),
  // GIFAR-style: a GIF header whose size bytes open a JavaScript comment; a browser would run it as a script.
  'gif-js-polyglot.gif': Buffer.from('GIF89a/*\x0a\x00\x00\x00\x00*/=1;alert(document.domain)//;', 'latin1'),
  'pdf.pdf': Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  'zero-byte.jpg': Buffer.alloc(0)
}

mkdirSync(OUT, { recursive: true })
let total = 0
for (const [name, bytes] of Object.entries(files)) {
  writeFileSync(`${OUT}${name}`, bytes)
  total += bytes.length
  console.log(`${name.padEnd(26)} ${String(bytes.length).padStart(7)} bytes`)
}
console.log(`${Object.keys(files).length} files, ${total} bytes`)
