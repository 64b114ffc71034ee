import { spawnSync } from 'node:child_process'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PIPE_BUF, turnBatched } from '../src/log-destination.ts'

function recorder (): { writes: string[], sink: { write: (text: string) => void } } {
  const writes: string[] = []
  return { writes, sink: { write (text) { writes.push(text) } } }
}

const line = (i: number, size = 300): string => `{"n":${i},"pad":"${'x'.repeat(size)}"}\n`

describe('turnBatched', () => {
  it('writes the lines of one turn together, at the end of the turn', async () => {
    const { writes, sink } = recorder()
    const lines = turnBatched(sink)
    lines.write(line(1))
    lines.write(line(2))
    lines.write(line(3))
    expect(writes).toEqual([])
    await nextTurn()
    expect(writes).toEqual([line(1) + line(2) + line(3)])
  })

  it('writes each turn\'s lines by themselves: at rest a line does not wait for the next', async () => {
    const { writes, sink } = recorder()
    const lines = turnBatched(sink)
    lines.write(line(1))
    await nextTurn()
    lines.write(line(2))
    await nextTurn()
    expect(writes).toEqual([line(1), line(2)])
  })

  it('keeps every write within PIPE_BUF and made of whole lines, in order; a longer line goes alone', async () => {
    const { writes, sink } = recorder()
    const lines = turnBatched(sink)
    // 'é' is two bytes in UTF-8: PIPE_BUF counts bytes, not characters.
    const sent = [...Array.from({ length: 40 }, (_, i) => line(i)), line(40, 5000), line(41), `{"accent":"${'é'.repeat(1500)}"}\n`, line(42)]
    for (const l of sent) lines.write(l)
    await nextTurn()
    expect(writes.join('')).toBe(sent.join(''))
    expect(writes.length).toBeGreaterThan(4)
    for (const w of writes) {
      expect(w.endsWith('\n')).toBe(true)
      if (w.includes('x'.repeat(5000))) expect(w).toBe(line(40, 5000))
      else expect(Buffer.byteLength(w)).toBeLessThanOrEqual(PIPE_BUF)
    }
  })

  it('flushSync writes what is gathered at once, and nothing when there is nothing', async () => {
    const { writes, sink } = recorder()
    const lines = turnBatched(sink)
    lines.flushSync()
    lines.write(line(1))
    lines.flushSync()
    expect(writes).toEqual([line(1)])
    await nextTurn()
    expect(writes).toEqual([line(1)])
  })
})

describe('stdoutLines, in a real process', () => {
  const destination = fileURLToPath(new URL('../src/log-destination.ts', import.meta.url))
  const run = (code: string): { stdout: string, status: number | null } => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { stdoutLines } from ${JSON.stringify(destination)}\nconst lines = stdoutLines()\n${code}`], { encoding: 'utf8', timeout: 30_000 })
    return { stdout: child.stdout, status: child.status }
  }

  it('writes the lines still gathered when the process exits', () => {
    const { stdout, status } = run('lines.write("one\\n"); lines.write("two\\n"); process.exit(3)')
    expect(status).toBe(3)
    expect(stdout).toBe('one\ntwo\n')
  })

  it('writes them when an uncaught error ends the process', () => {
    const { stdout, status } = run('lines.write("before the error\\n"); throw new Error("boom")')
    expect(status).toBe(1)
    expect(stdout).toBe('before the error\n')
  })
})
