// Files appear whole or not at all: written beside their final name, flushed, then renamed.
import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** A unique name beside `dest`, so the final rename stays on one file system and is atomic. */
export function tempPathFor (dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(4).toString('hex')}.part`)
}

export async function writeFileAtomic (dest: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(dest)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(data)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await rename(temp, dest)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
