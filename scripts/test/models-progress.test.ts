import { describe, expect, it } from 'vitest'
import { createProgress } from '../models/progress.ts'

function output (isTTY: boolean) {
  const writes: string[] = []
  return { writes, out: { isTTY, columns: 100, write: (text: string) => writes.push(text) } }
}

describe('createProgress', () => {
  it('redraws one bar line on a terminal and ends it with a newline', () => {
    const { writes, out } = output(true)
    const progress = createProgress(out)
    progress.start('resnet: model.onnx', 2048)
    progress.advance(2048)
    progress.end()

    const bar = writes.at(-2) ?? ''
    expect(bar.startsWith('\r\u001b[2K')).toBe(true)
    expect(bar).toMatch(/resnet: model\.onnx \[#+\] 100% {2}2\.0 KiB\/2\.0 KiB/)
    expect(writes.at(-1)).toBe('\n')
  })

  it('writes plain lines, without carriage returns, when the output is not a terminal', () => {
    const { writes, out } = output(false)
    const progress = createProgress(out)
    progress.start('resnet: model.onnx', 3 * 1024 * 1024)
    progress.advance(1024)
    progress.end()
    progress.note('resnet: bundle ready')

    expect(writes).toEqual(['resnet: model.onnx: 3.0 MiB ...\n', 'resnet: bundle ready\n'])
  })
})
