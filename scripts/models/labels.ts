// Labels files: one class a line, in the model's output order.
import { ModelsError } from './errors.ts'

const SYNSET_ID = /^n\d{8} /

/** The class names of a labels file; trailing blank lines are ignored, blank lines inside are refused. */
export function parseLabels (text: string, file: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop()
  const blank = lines.findIndex((line) => line.trim() === '')
  if (blank !== -1) throw new ModelsError(`${file}: line ${blank + 1} is blank; a labels file holds one class name a line`)
  return lines.map((line) => line.trim())
}

/** 'n01440764 tench, Tinca tinca' → 'tench, Tinca tinca' (the zoo's synset.txt). */
export function stripSynsetIds (labels: readonly string[], file: string): string[] {
  return labels.map((line, index) => {
    if (!SYNSET_ID.test(line)) throw new ModelsError(`${file}: line ${index + 1} does not start with a WordNet synset id: "${line}"`)
    return line.replace(SYNSET_ID, '')
  })
}

export function formatLabels (labels: readonly string[]): string {
  return `${labels.join('\n')}\n`
}
